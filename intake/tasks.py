"""Celery discovers intake's scheduled tasks here (the beat entries are in config/celery.py)."""

from celery import shared_task

from intake.services import raw_messages_purge


@shared_task(name="intake.tasks.raw_messages_purge", ignore_result=True)
def raw_messages_purge_task() -> int:
    return raw_messages_purge()
