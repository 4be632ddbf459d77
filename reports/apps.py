from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import logging

        from celery.schedules import crontab

        from config.celery import add_beat_entry

        # The 1st of each month at 06:00 local time (CELERY_TIMEZONE is Asia/Almaty).
        add_beat_entry(
            "reports-monthly",
            "reports.tasks.monthly_schedule",
            crontab(minute=0, hour=6, day_of_month=1),
        )
        add_beat_entry("reports-resume", "reports.tasks.runs_resume", 300.0)
        # WeasyPrint logs every layout step at INFO (some while it is imported).
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
