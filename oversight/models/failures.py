"""Accepted work that failed later, linked to the act that accepted it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AcceptedWorkFailure(models.Model):
    """Evidence that work accepted by `act` failed: the case was reopened after verification, a
    warranty claim was made on the act's work order, or another complaint of the same category
    came within the warranty radius during the warranty. Found by `oversight.failures` when the
    event happens and by `failures_recompute`, which must find the same set."""

    class Kind(models.TextChoices):
        REOPENED = "reopened", _("Case reopened after acceptance")
        WARRANTY_CLAIM = "warranty_claim", _("Warranty claim")
        NEARBY_COMPLAINT = "nearby_complaint", _("New complaint nearby under warranty")

    act = models.ForeignKey(
        "oversight.AcceptanceAct",
        on_delete=models.PROTECT,
        related_name="failures",
        verbose_name=_("acceptance act"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # The case that shows the failure: the reopened case itself, or the new complaint.
    case = models.ForeignKey(
        "casework.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    warranty_claim = models.ForeignKey(
        "contractors.WarrantyClaim",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("warranty claim"),
    )
    event = models.ForeignKey(
        "casework.CaseEvent",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    distance_m = models.FloatField(_("distance, m"), null=True, blank=True)
    detected_at = models.DateTimeField(_("failed on"))

    class Meta:
        verbose_name = _("accepted work failure")
        verbose_name_plural = _("accepted work failures")
        ordering = ["detected_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["act", "kind", "event"], name="one_failure_per_act_kind_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.act}: {self.get_kind_display()}"
