from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # projcams: the follow notices' outbox handler registers on import; cameras in the admin.
        # The chat code and "stop" claimers (intake.claims) register on import too.
        from projects import (  # noqa: F401
            camera_admin,
            chat_codes,
            follows,
            linking,
        )
