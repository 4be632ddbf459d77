from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.schedules import crontab

        from config.celery import add_beat_entry
        from workflows import notifications, sync  # noqa: F401  (receivers and outbox handlers)

        # The schedule lives in code: the deadline sweep every minute, the digest every morning.
        add_beat_entry("deadline-sweep", "workflows.tasks.sweep_deadlines", 60.0)
        add_beat_entry(
            "overdue-digest", "workflows.tasks.overdue_digest", crontab(hour=8, minute=30)
        )
