"""Reading votes. The ratings read citizens' scores ONLY through `counted_votes`; no output here
names who cast a vote (no complainant, no source, no clerk)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from casework.models import CaseEvent
from casework.selectors import cases_visible_to
from ratings.models import Vote, VoteHold, VoteHoldReview

CLOSING_ACTIONS = ("verify", "reject")
COUNTED_FIELDS = ("case_id", "closing_event_id", "result_score", "answer_score", "cast_at")


def _open_or_rejected_hold() -> Exists:
    """A hold on the vote that is not reviewed yet, or whose review rejected the vote."""
    return Exists(
        VoteHold.objects.filter(vote=OuterRef("pk")).filter(
            Q(review__isnull=True) | Q(review__decision=VoteHoldReview.Decision.REJECT)
        )
    )


def counted_votes(period_from: dt.datetime, period_to: dt.datetime) -> QuerySet:
    """The votes that count, one per case: the newest vote on the case's latest closing (verify
    or reject), for closings made in [period_from, period_to), without held votes and without
    cases in categories that are not public. Rows are dicts of `COUNTED_FIELDS`."""
    latest_closing = (
        CaseEvent.objects.filter(case=OuterRef("case_id"), action__in=CLOSING_ACTIONS)
        .order_by("-seq")
        .values("pk")[:1]
    )
    newest_vote = (
        Vote.objects.filter(case=OuterRef("case_id"), closing_event=OuterRef("closing_event_id"))
        .order_by("-pk")
        .values("pk")[:1]
    )
    return (
        Vote.objects.filter(
            closing_event__created_at__gte=period_from,
            closing_event__created_at__lt=period_to,
            case__category__public=True,
        )
        .filter(pk=Subquery(newest_vote), closing_event_id=Subquery(latest_closing))
        .exclude(_open_or_rejected_hold())
        .order_by("case_id")
        .values(*COUNTED_FIELDS)
    )


def vote_current(case_id: int, closing_event_id: int) -> Vote | None:
    """The newest vote on one closing (the one that counts unless held)."""
    return (
        Vote.objects.filter(case_id=case_id, closing_event_id=closing_event_id)
        .order_by("-pk")
        .first()
    )


def holds_to_review(user) -> QuerySet[VoteHold]:
    """Holds nobody has reviewed yet, on cases `user` may see, oldest first."""
    return (
        VoteHold.objects.filter(review__isnull=True, vote__case__in=cases_visible_to(user))
        .select_related("vote", "vote__case")
        .order_by("id")
    )
