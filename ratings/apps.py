from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = _("Ratings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework.audit import register_chain

        # Asking for votes on closing; a chat reply "5 4" read as a vote.
        from ratings import handlers, vote_replies  # noqa: F401
        from ratings.vote_chain import CHAIN_NAME, votes_verify

        register_chain(CHAIN_NAME, votes_verify)
        # The monthly report's ratings section: reports may not import ratings.
        from ratings.report_section import report_rows
        from reports.extra_sections import register_ratings_rows

        register_ratings_rows(report_rows)
