from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Oversight")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework.audit import register_chain
        from contractors.notices import register_department_heads
        from oversight import handlers  # noqa: F401  (the outbox job for case events)
        from oversight.heads import department_head_emails
        from oversight.inquiry_log import CHAIN_NAME, log_verify

        register_chain(CHAIN_NAME, log_verify)
        register_department_heads(department_head_emails)
