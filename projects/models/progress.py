"""Progress observations: how far the works are (physical %) and how much is spent (the financial
% is spent / budget, derived, never typed), dated, by whom, with optional evidence photos."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ProgressObservation(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="progress"
    )
    observed_on = models.DateField(_("date"))
    physical_percent = models.DecimalField(
        _("physical progress, %"), max_digits=5, decimal_places=2
    )
    spent_amount = models.DecimalField(_("spent, KZT"), max_digits=16, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress observation")
        verbose_name_plural = _("progress observations")
        ordering = ["-observed_on", "-id"]
        indexes = [models.Index(fields=["project", "-observed_on"], name="progress_latest")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.observed_on} {self.physical_percent}%"

    def financial_percent(self, budget: Decimal) -> Decimal | None:
        if not budget:
            return None
        return (self.spent_amount * 100 / budget).quantize(Decimal("0.01"))


class ProgressPhoto(models.Model):
    observation = models.ForeignKey(
        ProgressObservation, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="projects/progress/%Y/%m/")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name
