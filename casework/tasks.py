"""Celery discovers tasks in this module; the outbox keeps its own beside its logic."""

from casework.outbox import outbox_relay, outbox_run, outbox_run_many

__all__ = ["outbox_relay", "outbox_run", "outbox_run_many"]
