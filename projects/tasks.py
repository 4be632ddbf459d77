"""Celery tasks of projects (beat runs them on the schedule in config/celery.py)."""

from celery import shared_task

from projects.cameras import camera_snapshots_fetch_due
from projects.chat_codes import chat_codes_purge


@shared_task(name="projects.tasks.camera_snapshots_fetch", ignore_result=True)
def camera_snapshots_fetch() -> int:
    """Fetch the due cameras' snapshots; safe to run twice. Returns the snapshots stored."""
    return camera_snapshots_fetch_due().stored


@shared_task(name="projects.tasks.chat_codes_purge", ignore_result=True)
def chat_codes_purge_task() -> int:
    """Forget the chat codes and wrong-code counts older than a day."""
    return chat_codes_purge()
