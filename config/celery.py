"""The Celery app and its beat schedule, the one place every periodic task is named (by its
dotted task name, so nothing here imports an app). With REDIS_URL unset, tasks run eagerly in
the calling process."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("baqylau")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The heartbeat task and the task metrics' signal handlers live outside the apps' tasks modules.
app.conf.imports = ("config.health", "config.metrics")

# The beat schedule lives in code, not in a database scheduler. Local times are Asia/Almaty
# (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    # Side effects left pending (Redis was down, a job failed) are sent again.
    "outbox-relay": {"task": "casework.tasks.outbox_relay", "schedule": 60.0},
    # /readyz wants a heartbeat younger than two minutes (beat and a default worker alive).
    "beat-heartbeat": {"task": "config.health.beat_heartbeat", "schedule": 30.0},
    # Breached deadlines escalate within a minute (casework.sweep).
    "deadline-sweep": {"task": "casework.tasks.sweep_deadlines", "schedule": 60.0},
    # Unacknowledged work orders escalate within minutes of their deadline.
    "contractors-escalate-unacknowledged": {
        "task": "contractors.tasks.escalate_unacknowledged",
        "schedule": 300.0,
    },
    # One e-mail a morning to each staff member with overdue tasks.
    "overdue-digest": {
        "task": "workflows.tasks.overdue_digest",
        "schedule": crontab(hour=8, minute=30),
    },
    # The monthly reports on the 1st at 06:00; runs a worker lost are resumed.
    "reports-monthly": {
        "task": "reports.tasks.monthly_schedule",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
    "reports-resume": {"task": "reports.tasks.runs_resume", "schedule": 300.0},
    # The red-flag indicators over everything, as a check on the hits found as events happen.
    "oversight-red-flags-nightly": {
        "task": "oversight.tasks.red_flags_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # Site cameras' snapshots (each camera on its own interval; due ones are fetched).
    "projects-camera-snapshots": {
        "task": "projects.tasks.camera_snapshots_fetch",
        "schedule": 120.0,
    },
    # Chat codes for project comments (and wrong-code counts) older than a day are forgotten.
    "projects-chat-codes-purge": {
        "task": "projects.tasks.chat_codes_purge",
        "schedule": crontab(hour=3, minute=50),
    },
    # The ratings' figures per post and period, from the day's closings and votes.
    "ratings-refresh-nightly": {
        "task": "ratings.tasks.ratings_refresh",
        "schedule": crontab(hour=3, minute=10),
    },
    # Raw chat bodies (senders' phones and names) are emptied after RAW_MESSAGE_RETENTION_DAYS.
    "intake-raw-messages-purge": {
        "task": "intake.tasks.raw_messages_purge",
        "schedule": crontab(hour=3, minute=40),
    },
    # The open data dump of public cases (portal/open_data_dump.py), after the night's passes.
    "portal-open-data-dump": {
        "task": "portal.tasks.open_data_dump",
        "schedule": crontab(hour=4, minute=15),
    },
}
