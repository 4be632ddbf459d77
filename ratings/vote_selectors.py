"""The votes that count (minimal version on the ratings branch; the votes' own replaces it).

`counted_votes(period_from, period_to)`: for each case, its latest Vote for the case's latest
closing event, for closings in [period_from, period_to). Rows carry case_id, closing_event_id,
result_score, answer_score and cast_at; never who voted."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, OuterRef, QuerySet, Subquery

from casework.models import CaseEvent
from ratings.models import Vote

CLOSING_ACTIONS = ("verify", "reject")


def counted_votes(period_from: dt.datetime, period_to: dt.datetime) -> QuerySet:
    latest_closing = (
        CaseEvent.objects.filter(case_id=OuterRef("case_id"), action__in=CLOSING_ACTIONS)
        .order_by()
        .values("case_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    latest_vote = (
        Vote.objects.filter(
            case_id=OuterRef("case_id"), closing_event_id=OuterRef("closing_event_id")
        )
        .order_by("-id")
        .values("id")[:1]
    )
    return (
        Vote.objects.filter(
            closing_event__created_at__gte=period_from,
            closing_event__created_at__lt=period_to,
            closing_event_id=Subquery(latest_closing),
            id=Subquery(latest_vote),
        )
        .order_by()
        .values("case_id", "closing_event_id", "result_score", "answer_score", "cast_at")
    )
