"""The workflow's own rows: the viewflow process of a case, staff members' preferences and
saved case list filters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from casework.models import Case


class CaseProcess(Process):
    """One run of `CaseFlow` over a case: from receipt (or a reopening) to its closing."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="processes", verbose_name=_("case")
    )

    class Meta:
        verbose_name = _("case process")
        verbose_name_plural = _("case processes")

    def __str__(self) -> str:
        return f"{self.case_id} #{self.pk}"


def default_language() -> str:
    return settings.LANGUAGE_CODE


class StaffPreference(models.Model):
    """What a staff member chose: the language of their e-mails follows the one they use here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_preference"
    )
    language = models.CharField(_("language"), max_length=8, default=default_language)

    class Meta:
        verbose_name = _("staff preference")
        verbose_name_plural = _("staff preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"


class SavedFilter(models.Model):
    """A case list filter a staff member keeps under a name: the list's query string."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_case_filters"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter"), max_length=1000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="savedfilter_user_name"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.name}"
