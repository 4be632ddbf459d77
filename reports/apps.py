import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # WeasyPrint logs every layout step at INFO (some while it is imported).
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
