from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework import (  # noqa: F401  (registers checks, signals, handlers)
            checks,
            deadlines,
            notices,
            photo_jobs,
            sqlite_unicode,
            sweep,
        )
