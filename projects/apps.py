from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from projects import linking  # noqa: F401  (the case-open receiver and outbox jobs)

        # projcams: the follow notices' outbox handler registers on import; cameras in the admin.
        from projects import camera_admin, follows  # noqa: F401
