"""Every decision on a case, attributed to the person and to the post they held at that moment."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionAttribution(models.Model):
    """One decision event (route, work order, acceptance, rejection, extension, reopening) and who
    took it in which post. Written by `oversight.attribution` from the event, never changed (on
    PostgreSQL a trigger refuses UPDATE and DELETE): a later move to another post changes
    nothing here."""

    # No database constraint on the event: audit rows stay findable by `verify_audit` even if
    # someone tampers with them, instead of hiding behind a foreign-key error.
    event = models.OneToOneField(
        "casework.CaseEvent",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="attribution",
        verbose_name=_("event"),
    )
    case = models.ForeignKey(
        "casework.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    action = models.CharField(_("decision"), max_length=64)
    decided_at = models.DateTimeField(_("when"))
    person = models.ForeignKey(
        "oversight.Person",
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("person"),
    )
    # Empty when the person held no recorded post that day: shown as such, never guessed.
    occupancy = models.ForeignKey(
        "oversight.Occupancy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("occupancy"),
    )
    position = models.ForeignKey(
        "oversight.Position",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("post"),
    )

    class Meta:
        verbose_name = _("decision attribution")
        verbose_name_plural = _("decision attributions")
        ordering = ["decided_at", "id"]
        indexes = [
            models.Index(fields=["person", "decided_at"], name="attribution_person_time"),
            models.Index(fields=["position", "decided_at"], name="attribution_position_time"),
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.event_id}: {self.person}"
