"""The Celery app. With REDIS_URL unset, tasks run eagerly in the calling process."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("baqylau")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The beat schedule lives in code, not in a database scheduler.
app.conf.beat_schedule = {
    "outbox-relay": {"task": "casework.tasks.outbox_relay", "schedule": 60.0},
}
# Other apps add their own entries in their AppConfig.ready() through add_beat_entry().


def add_beat_entry(name: str, task: str, schedule: float | crontab, **options) -> None:
    app.conf.beat_schedule[name] = {"task": task, "schedule": schedule, **options}
