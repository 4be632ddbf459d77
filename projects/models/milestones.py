"""A project's stages (OC4IDS milestones): planned dates against actual ones.

How late a stage is comes from its dates, never typed: a stage finished after its planned end is
late by the difference; a stage not finished whose planned end has passed is late until today.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Milestone(models.Model):
    class Status(models.TextChoices):
        # OC4IDS milestoneStatus codelist.
        SCHEDULED = "scheduled", _("Scheduled")
        MET = "met", _("Met")
        NOT_MET = "notMet", _("Not met")
        PARTIALLY_MET = "partiallyMet", _("Partially met")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="milestones"
    )
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    responsible_position = models.ForeignKey(
        "oversight.Position",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible post"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["planned_start", "planned_end", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_kk if (get_language() or "").startswith("kk") else self.name_ru

    def days_late(self, today: dt.date | None = None) -> int:
        """Days past the planned end: to the actual end, or to today while unfinished."""
        if self.actual_end is not None:
            return max(0, (self.actual_end - self.planned_end).days)
        if self.status == self.Status.MET:
            return 0
        today = today or timezone.localdate()
        return max(0, (today - self.planned_end).days)
