from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractorsConfig(AppConfig):
    name = "contractors"
    verbose_name = _("Contractors")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework import roles, scopes
        from config.celery import add_beat_entry
        from contractors import evidence, notices, receivers  # noqa: F401
        from contractors.api import register_endpoints
        from contractors.scope import CONTRACTOR_SCOPE
        from contractors.transition_calls import transition_calls_register

        scopes.register_scope(roles.CONTRACTOR, CONTRACTOR_SCOPE)
        transition_calls_register()
        register_endpoints()
        # Unacknowledged work orders escalate within minutes of their deadline.
        add_beat_entry(
            "contractors-escalate-unacknowledged",
            "contractors.tasks.escalate_unacknowledged",
            300.0,
        )
