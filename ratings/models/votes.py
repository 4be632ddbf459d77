"""Citizens' votes on the result of their case and on the answer they got.

Append-only and hash-chained like case events: a changed vote is a new row, the newest row for a
case's latest closing counts. A published figure never says who voted."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class VoteQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Votes are append-only.")

    def delete(self):
        raise PermissionError("Votes are append-only.")


class Vote(models.Model):
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="+")
    # The verify or reject event whose outcome is scored: a reopened and closed-again case is
    # voted on anew, and only the latest closing's vote counts.
    closing_event = models.ForeignKey(
        "casework.CaseEvent", on_delete=models.PROTECT, related_name="+"
    )
    result_score = models.PositiveSmallIntegerField(_("the result on the ground"), validators=SCORE)
    answer_score = models.PositiveSmallIntegerField(_("the answer"), validators=SCORE)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("channel"), max_length=16)
    # A clerk who recorded the vote from a phone call; empty when the citizen voted.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cast_at = models.DateTimeField(_("cast"), default=timezone.now)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["id"]
        indexes = [models.Index(fields=["case", "closing_event", "id"], name="vote_case_closing")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.result_score}/{self.answer_score}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("Votes are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Votes are append-only.")
