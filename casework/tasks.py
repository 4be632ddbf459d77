"""Celery tasks of casework (beat runs them on the schedule in config/celery.py); the outbox
keeps its own beside its logic."""

from celery import shared_task

from casework.outbox import (
    outbox_notify_run,
    outbox_notify_run_many,
    outbox_relay,
    outbox_run,
    outbox_run_many,
)
from casework.sweep import sweep_run

__all__ = [
    "outbox_notify_run",
    "outbox_notify_run_many",
    "outbox_relay",
    "outbox_run",
    "outbox_run_many",
    "sweep_deadlines",
]


@shared_task(name="casework.tasks.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> int:
    return sweep_run().fired
