from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Intake")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from intake import normaliser, receipts, senders  # noqa: F401  (outbox handlers)

        senders.senders_register()
