"""The monthly report's red flags, inquiries and sanctions, read from the oversight app.

Plain data only (ids, codes, numbers; money as text), so the report's data hash is the same in
every language; names and labels are looked up when the report is laid out.

A closed month counts what stood at its end, from the stored moments of the facts, never from
a hit's or an inquiry's current status:
- a red-flag hit belongs to the month when it was first found before the period's end, its facts
  happened before it (`occurred_at`, or `first_found_at` when the hit has no moment of its own),
  and it stood at the end: no dismissal or "no longer found" decision was in force then (the
  latest `RedFlagDecision` before the end). A hit dismissed after the month's end still counts
  for that month; one dismissed before it does not (an investigator judged it with a reason);
  a hit first found after the end does not enter the month at all. The figures per indicator
  count the standing hits whose facts happened in the period; the five worst and the twenty
  largest by money are taken among all standing hits (older ones still open included). A hit's
  money, score and moment are those in force at the end (`RedFlagHitFigures`: the latest row
  recorded before it; a hit with no recorded figures at all has only its current ones), so new
  evidence after the end changes the next month, not this one;
- inquiries opened: `opened_at` in the period; closed: an inquiry's history holds a row closed
  with `closed_at` in the period (its outcome that row's);
- sanctions imposed: a sanction's history holds a row imposed with `status_changed_at` in the
  period (its kind that row's), so a later appeal or cancellation leaves the month alone. An
  official or contractor is named only where the sanction was publishable as the month ended
  (its history row in force then, else the first recorded): the post held on the day of the
  imposition goes with the name. Reporters and witnesses are never in the data.

Scope: hits by their own region, district, department and contractor; inquiries by their region,
and in a district's, department's or contractor's report by their subjects (a case or act of the
district, a contract or act of the department, the contractor or its contracts and acts).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from oversight.models import (
    Inquiry,
    Person,
    RedFlagDecision,
    RedFlagHit,
    RedFlagHitFigures,
    Sanction,
)
from oversight.selectors import post_held
from reports.periods import Period, Scope

WORST = 5
TOP_BY_MONEY = 20
# The decisions after which a hit no longer stands.
SET_ASIDE = (RedFlagDecision.Action.DISMISSED, RedFlagDecision.Action.RESOLVED)


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


def _at_end(figures: QuerySet, name: str, default: F) -> Case:
    """A figure as it stood at the end: from the latest row before it, else the current one."""
    return Case(
        When(figured=True, then=Subquery(figures.values(name)[:1])),
        default=default,
    )


def standing_hits(scope: Scope, period: Period) -> QuerySet[RedFlagHit]:
    """The hits that stood at the period's end in `scope`, annotated with `happened`,
    `money_at_end` and `score_at_end`."""
    last_decision = (
        RedFlagDecision.objects.filter(hit=OuterRef("pk"), decided_at__lt=period.end)
        .order_by("-decided_at", "-id")
        .values("action")[:1]
    )
    figures = RedFlagHitFigures.objects.filter(
        hit=OuterRef("pk"), recorded_at__lt=period.end
    ).order_by("-recorded_at", "-id")
    hits = (
        RedFlagHit.objects.annotate(figured=Exists(figures))
        .annotate(
            occurred_at_end=_at_end(figures, "occurred_at", F("occurred_at")),
            money_at_end=_at_end(figures, "money_kzt", F("money_kzt")),
            score_at_end=_at_end(figures, "score", F("score")),
        )
        .annotate(
            happened=Coalesce(F("occurred_at_end"), F("first_found_at")),
            last_decision=Subquery(last_decision),
        )
        .filter(first_found_at__lt=period.end, happened__lt=period.end)
    )
    hits = hits.filter(Q(last_decision__isnull=True) | ~Q(last_decision__in=SET_ASIDE))
    if scope.region is not None:
        hits = hits.filter(region_id=scope.region.pk)
    if scope.district is not None:
        hits = hits.filter(district_id=scope.district.pk)
    if scope.department is not None:
        hits = hits.filter(department_id=scope.department.pk)
    if scope.contractor is not None:
        hits = hits.filter(contractor_id=scope.contractor.pk)
    return hits


def _hit_row(hit: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": hit["id"],
        "indicator": hit["indicator"],
        "money_kzt": _money(hit["money_at_end"]),
        "score": int(hit["score_at_end"]),
    }


def red_flag_rows(scope: Scope, period: Period) -> dict[str, Any]:
    hits = standing_hits(scope, period)
    fields = ("id", "indicator", "money_at_end", "score_at_end")
    worst = hits.order_by("-score_at_end", "-money_at_end", "id").values(*fields)[:WORST]
    largest = hits.order_by("-money_at_end", "-score_at_end", "id").values(*fields)
    largest = largest[:TOP_BY_MONEY]
    totals: dict[str, dict[str, Any]] = {}
    for code, money in hits.filter(happened__gte=period.start).values_list(
        "indicator", "money_at_end"
    ):
        row = totals.setdefault(code, {"hits": 0, "money": Decimal(0)})
        row["hits"] += 1
        row["money"] += money or Decimal(0)
    by_indicator = sorted(
        (
            {"indicator": code, "hits": row["hits"], "money_kzt": _money(row["money"])}
            for code, row in totals.items()
        ),
        key=lambda r: (-Decimal(r["money_kzt"]), -r["hits"], r["indicator"]),
    )
    return {
        "worst": [_hit_row(h) for h in worst],
        "by_indicator": by_indicator,
        "top_by_money": [_hit_row(h) for h in largest],
    }


def _inquiries_in_scope(scope: Scope) -> QuerySet[Inquiry]:
    inquiries = Inquiry.objects.all()
    if scope.region is not None:
        inquiries = inquiries.filter(region_id=scope.region.pk)
    touching = Q()
    if scope.district is not None:
        d = scope.district.pk
        touching &= Q(subjects__case__district_id=d) | Q(subjects__act__case__district_id=d)
    if scope.department is not None:
        p = scope.department.pk
        touching &= (
            Q(subjects__contract__department_id=p)
            | Q(subjects__act__contract__department_id=p)
            | Q(subjects__case__department_id=p)
        )
    if scope.contractor is not None:
        c = scope.contractor.pk
        touching &= (
            Q(subjects__contractor_id=c)
            | Q(subjects__contract__contractor_id=c)
            | Q(subjects__act__contract__contractor_id=c)
        )
    if touching:
        inquiries = inquiries.filter(pk__in=Inquiry.objects.filter(touching).values("pk"))
    return inquiries


def _in_force_at_end(rows: list[Any], end: dt.datetime) -> Any:
    """The history row in force at `end`: the last recorded before it, else the first."""
    before = [r for r in rows if r.history_date < end]
    return before[-1] if before else rows[0]


def inquiry_rows(scope: Scope, period: Period) -> dict[str, Any]:
    inquiries = _inquiries_in_scope(scope)
    ids = list(inquiries.values_list("pk", flat=True))
    opened = inquiries.filter(opened_at__gte=period.start, opened_at__lt=period.end).count()
    closed_rows = (
        Inquiry.history.filter(
            id__in=ids,
            status=Inquiry.Status.CLOSED,
            closed_at__gte=period.start,
            closed_at__lt=period.end,
        )
        .order_by("id", "history_date", "history_id")
        .values_list("id", "outcome")
    )
    outcome_of = dict(closed_rows)  # the latest closing row of the period wins
    closed: dict[str, int] = {}
    for outcome in outcome_of.values():
        closed[outcome or ""] = closed.get(outcome or "", 0) + 1

    imposed_rows = Sanction.history.filter(
        inquiry_id__in=ids,
        status=Sanction.Status.IMPOSED,
        status_changed_at__gte=period.start,
        status_changed_at__lt=period.end,
    ).order_by("id", "status_changed_at", "history_date", "history_id")
    imposed: dict[int, Any] = {}
    for row in imposed_rows:
        imposed.setdefault(row.id, row)  # the first imposition in the period
    by_kind: dict[str, int] = {}
    for row in imposed.values():
        by_kind[row.kind] = by_kind.get(row.kind, 0) + 1
    history: dict[int, list[Any]] = {}
    for row in Sanction.history.filter(id__in=list(imposed)).order_by(
        "id", "history_date", "history_id"
    ):
        history.setdefault(row.id, []).append(row)
    people = Person.objects.in_bulk({row.person_id for row in imposed.values()} - {None})
    named = []
    for pk, row in sorted(imposed.items()):
        if not _in_force_at_end(history[pk], period.end).publishable:
            continue
        person = people.get(row.person_id)
        held = post_held(person, row.status_changed_at) if person else None
        named.append(
            {
                "sanction": pk,
                "kind": row.kind,
                "person_id": row.person_id,
                "contractor_id": row.contractor_id,
                "post_id": held.position_id if held else None,
                "imposed_on": row.order_date.isoformat() if row.order_date else "",
            }
        )
    return {
        "opened": opened,
        "closed": dict(sorted(closed.items())),
        "sanctions_imposed": dict(sorted(by_kind.items())),
        "sanctions_named": named,
    }
