from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractorsConfig(AppConfig):
    name = "contractors"
    verbose_name = _("Contractors")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework import roles, scopes
        from contractors import evidence, notices, receivers  # noqa: F401
        from contractors.scope import CONTRACTOR_SCOPE

        scopes.register_scope(roles.CONTRACTOR, CONTRACTOR_SCOPE)
