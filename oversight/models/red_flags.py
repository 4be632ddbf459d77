"""Red-flag hits: what an indicator (`oversight.red_flags`) found, on which subject, with which
evidence and how much money, and what investigators decided about it.

A hit is found once: `key` names the indicator and the subject (and, for pairs, the second party),
so the event-driven check and the nightly full pass update the same row. Dismissing a hit needs a
reason; every decision (dismissed, reopened because the evidence grew, no longer found, found
again) is a `RedFlagDecision` row, append-only (on PostgreSQL a trigger refuses UPDATE and DELETE).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RedFlagHit(models.Model):
    class SubjectKind(models.TextChoices):
        CASE = "case", _("Case")
        ACT = "act", _("Acceptance act")
        CONTRACT = "contract", _("Contract")
        CONTRACTOR = "contractor", _("Contractor")
        PERSON = "person", _("Official")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")
        # The indicator no longer finds it (e.g. a statistical fence moved): kept, not deleted.
        RESOLVED = "resolved", _("No longer found")

    indicator = models.CharField(_("indicator"), max_length=64)
    key = models.CharField(max_length=200, unique=True)
    subject_kind = models.CharField(_("subject"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.BigIntegerField()
    subject_name = models.CharField(_("subject"), max_length=400)
    # [{"kind": "event" | "photo" | "act" | "case" | "contract" | "contract_modification" |
    #   "work_order" | "failure", "id": ..., "label": ...}, ...], sorted by (kind, id).
    evidence = models.JSONField(_("evidence"), default=list)
    money_kzt = models.DecimalField(_("money at stake, KZT"), max_digits=18, decimal_places=2)
    score = models.PositiveSmallIntegerField(_("score"))
    # The thresholds and values the indicator used (a statistical fence publishes Q1, Q3, IQR).
    details = models.JSONField(_("details"), default=dict)
    region = models.ForeignKey(
        "casework.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "casework.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "casework.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contractor = models.ForeignKey(
        "contractors.Contractor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        "oversight.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the facts happened (for the queue's period filter): the latest evidence's moment.
    occurred_at = models.DateTimeField(_("happened"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)
    dismissal_reason = models.TextField(_("reason for dismissal"), blank=True)
    first_found_at = models.DateTimeField(_("first found"))
    last_found_at = models.DateTimeField(_("last found"))

    class Meta:
        verbose_name = _("red-flag hit")
        verbose_name_plural = _("red-flag hits")
        ordering = ["-score", "-money_kzt", "-id"]
        indexes = [
            models.Index(fields=["status", "-score", "-money_kzt"], name="redflag_queue"),
            models.Index(fields=["indicator", "status"], name="redflag_indicator"),
            models.Index(fields=["region", "status"], name="redflag_region"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.subject_name}"

    @property
    def evidence_keys(self) -> set[tuple[str, int]]:
        return {(item["kind"], int(item["id"])) for item in self.evidence or []}


class RedFlagDecisionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Red-flag decisions are append-only.")

    def delete(self):
        raise PermissionError("Red-flag decisions are append-only.")


class RedFlagDecision(models.Model):
    """What happened to a hit and why: append-only."""

    class Action(models.TextChoices):
        DISMISSED = "dismissed", _("Dismissed")
        REOPENED = "reopened", _("Reopened: new evidence")
        RESOLVED = "resolved", _("No longer found")
        FOUND_AGAIN = "found_again", _("Found again")

    hit = models.ForeignKey(RedFlagHit, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(_("decision"), max_length=16, choices=Action.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("when"))
    reason = models.TextField(_("reason"), blank=True)
    # The evidence as it stood, so a later reader sees what was dismissed and what came after.
    evidence = models.JSONField(default=list)

    objects = RedFlagDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("red-flag decision")
        verbose_name_plural = _("red-flag decisions")
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.hit_id}: {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Red-flag decisions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Red-flag decisions are append-only.")


class RedFlagHitFiguresQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Red-flag hit figures are append-only.")

    def delete(self):
        raise PermissionError("Red-flag hit figures are append-only.")


class RedFlagHitFigures(models.Model):
    """A hit's money at stake, score and the moment of its facts, in force from `recorded_at`:
    one row when the hit is first stored and one each time a run changes them
    (`oversight.red_flags.figures`), so that a closed month reads them as they stood at its end
    (`reports.accountability`). Append-only."""

    # No database constraint, like a hit's references to audit rows: these rows are append-only
    # and outlive a hit removed by hand (the next run recreates it, under a new id).
    hit = models.ForeignKey(
        RedFlagHit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="figures"
    )
    recorded_at = models.DateTimeField(_("from"))
    money_kzt = models.DecimalField(_("money at stake, KZT"), max_digits=18, decimal_places=2)
    score = models.PositiveSmallIntegerField(_("score"))
    occurred_at = models.DateTimeField(_("happened"), null=True, blank=True)

    objects = RedFlagHitFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("red-flag hit figures")
        verbose_name_plural = _("red-flag hit figures")
        ordering = ["hit_id", "recorded_at", "id"]
        indexes = [models.Index(fields=["hit", "recorded_at"], name="redflag_figures_at")]

    def __str__(self) -> str:
        return f"{self.hit_id}: {self.money_kzt} / {self.score} from {self.recorded_at}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Red-flag hit figures are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Red-flag hit figures are append-only.")
