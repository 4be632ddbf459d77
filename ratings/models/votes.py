"""Citizens' votes on the result of their case and on the answer they got.

Append-only and hash-chained like case events: a changed vote is a new row, the newest row for a
case's latest closing counts. A published figure never says who voted."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models.audit import GENESIS_HASH

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
    # Keyed digest (casework.crypto.blind_index) of where the vote came from: the client address
    # of a tracking-page vote, "clerk:<id>" for one recorded from a call. Lets the abuse checks
    # see many votes from one place without storing the address; never published.
    source_key = models.CharField(max_length=64, blank=True, editable=False)
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


class VoteChainHead(models.Model):
    """The single row that serialises appends to the vote chain and remembers its tip."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_vote_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"vote chain head: {self.count} votes, {self.last_hash[:12]}"


class VoteRequest(models.Model):
    """The complainant was asked to vote on one closing (verify or reject event): once per
    closing, with how the message went (`casework.notices.citizen_send`'s outcome)."""

    closing_event = models.OneToOneField(
        "casework.CaseEvent", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=32)
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)

    class Meta:
        verbose_name = _("vote request")
        verbose_name_plural = _("vote requests")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.outcome}"
