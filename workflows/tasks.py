"""Celery tasks of the workflow; beat runs them on the schedule in config/celery.py."""

from celery import shared_task

from workflows.notifications import digest_queue


@shared_task(name="workflows.tasks.overdue_digest", ignore_result=True)
def overdue_digest() -> int:
    return digest_queue()
