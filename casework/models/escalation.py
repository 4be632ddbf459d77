"""Deadline breaches: scheduled when a deadline is set, fired once by the sweep.

A row is written (pending) for every deadline a case has right now: its stage deadline (level 1,
and level 2 one working day later) and its answer deadline (level 3). When the case moves on or
the deadline is extended, pending rows for deadlines that no longer hold are removed. The sweep
fires the rows whose moment has come; a fired row is the record of the escalation and never
changes again (on PostgreSQL a trigger refuses it).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EscalationLevel(models.IntegerChoices):
    REMINDER = 1, _("Stage deadline passed: reminder to the assignee")
    MANAGEMENT = 2, _("Stage deadline passed a working day ago: head of department and akimat")
    INVESTIGATORS = 3, _("Legal answer deadline passed: flagged for anti-corruption investigators")


class Escalation(models.Model):
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"), choices=EscalationLevel.choices)
    # The deadline whose breach this is: the stage deadline (levels 1 and 2) or the answer
    # deadline (level 3). One escalation per case, level and deadline.
    deadline_at = models.DateTimeField(_("deadline"))
    fire_at = models.DateTimeField(_("escalates at"))
    stage = models.CharField(_("stage"), max_length=32)
    fired_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    event = models.OneToOneField(
        "casework.CaseEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "level", "deadline_at"], name="one_escalation_per_deadline"
            )
        ]
        indexes = [
            models.Index(
                fields=["fire_at"],
                name="escalation_pending",
                condition=models.Q(fired_at__isnull=True),
            ),
            models.Index(fields=["level", "fired_at"], name="escalation_level_fired"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} L{self.level} {self.deadline_at:%Y-%m-%d %H:%M}"
