"""Votes held out of the counted figures by the abuse checks, and staff's review of each hold.

Both append-only: a hold is never lifted by editing it; a review row releases it (the vote
counts again, unless another hold on it is still open) or rejects it (the vote never counts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Vote holds and reviews are append-only.")

    def delete(self):
        raise PermissionError("Vote holds and reviews are append-only.")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("Vote holds and reviews are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Vote holds and reviews are append-only.")


class VoteHold(AppendOnly):
    class Reason(models.TextChoices):
        PHONE_BURST = "phone_burst", _("Many complaints from one phone number in a short time")
        SOURCE_BURST = "source_burst", _("Many votes from one address in a short time")
        SCORE_BURST = "score_burst", _("A burst of identical scores for one official")
        ADDRESS_BURST = (
            "address_burst",
            _("Many complaints from one internet address in a short time"),
        )

    vote = models.ForeignKey("ratings.Vote", on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    # What the check counted (numbers only: never a phone number or an address).
    detail = models.JSONField(_("detail"), default=dict)
    created_at = models.DateTimeField(_("held"), default=timezone.now)

    class Meta:
        verbose_name = _("vote hold")
        verbose_name_plural = _("vote holds")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "reason"], name="one_hold_per_vote_reason")
        ]

    def __str__(self) -> str:
        return f"hold {self.reason} on vote {self.vote_id}"


class VoteHoldReview(AppendOnly):
    class Decision(models.TextChoices):
        RELEASE = "release", _("Released: the vote counts")
        REJECT = "reject", _("Rejected: the vote does not count")

    hold = models.OneToOneField(VoteHold, on_delete=models.PROTECT, related_name="review")
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    note = models.TextField(_("note"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("vote hold review")
        verbose_name_plural = _("vote hold reviews")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.decision} hold {self.hold_id}"
