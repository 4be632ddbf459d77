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

from django.db.models import Q, QuerySet

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
from reports.sql import Dialect, fetch_all, in_list

WORST = 5
TOP_BY_MONEY = 20
# The decisions after which a hit no longer stands.
SET_ASIDE = (RedFlagDecision.Action.DISMISSED, RedFlagDecision.Action.RESOLVED)


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


# The standing hits at the period's end, with the figures in force then, in one statement: the
# latest figures row and the latest decision before the end are each read once for all hits
# (a window over the rows before the end, hash-joined), not by correlated subqueries per hit and
# per figure. The five worst, the twenty largest and the period's hits come back together.
_HIT = RedFlagHit._meta.db_table
_FIGURES = RedFlagHitFigures._meta.db_table
_DECISION = RedFlagDecision._meta.db_table
_STANDING_SQL = f"""
WITH fig AS (
    SELECT f.hit_id, f.money_kzt, f.score, f.occurred_at,
           ROW_NUMBER() OVER (PARTITION BY f.hit_id ORDER BY f.recorded_at DESC, f.id DESC) AS n
    FROM {_FIGURES} f WHERE f.recorded_at < %(end)s
), dec AS (
    SELECT d.hit_id, d.action,
           ROW_NUMBER() OVER (PARTITION BY d.hit_id ORDER BY d.decided_at DESC, d.id DESC) AS n
    FROM {_DECISION} d WHERE d.decided_at < %(end)s
), figured AS (
    SELECT h.id, h.indicator,
           CASE WHEN f.hit_id IS NULL THEN h.money_kzt ELSE f.money_kzt END AS money,
           CASE WHEN f.hit_id IS NULL THEN h.score ELSE f.score END AS score,
           COALESCE(CASE WHEN f.hit_id IS NULL THEN h.occurred_at ELSE f.occurred_at END,
                    h.first_found_at) AS happened
    FROM {_HIT} h
    LEFT JOIN fig f ON f.hit_id = h.id AND f.n = 1
    LEFT JOIN dec d ON d.hit_id = h.id AND d.n = 1
    WHERE h.first_found_at < %(end)s AND (d.action IS NULL OR d.action NOT IN {{set_aside}})
    {{scope}}
), standing AS (
    SELECT id, indicator, money, score, happened FROM figured WHERE happened < %(end)s
)
SELECT 'worst', id, indicator, money, score FROM (
    SELECT id, indicator, money, score FROM standing ORDER BY score DESC, money DESC, id
    LIMIT {WORST}) w
UNION ALL
SELECT 'largest', id, indicator, money, score FROM (
    SELECT id, indicator, money, score FROM standing ORDER BY money DESC, score DESC, id
    LIMIT {TOP_BY_MONEY}) l
UNION ALL
SELECT 'period', id, indicator, money, score FROM standing WHERE happened >= %(start)s
"""  # noqa: S608 (table names from the models, the rest from fixed identifiers)
_SCOPE_COLUMNS = ("region", "district", "department", "contractor")


def _decimal(value: Any) -> Decimal:
    """Money as the backend returns it (SQLite: a float or an int) as a Decimal of cents."""
    if value is None:
        return Decimal(0)
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(Decimal("0.01"))


def standing_hits(scope: Scope, period: Period) -> dict[str, list[dict[str, Any]]]:
    """The hits that stood at the period's end in `scope`, with their money and score at the
    end: the five worst (`worst`), the twenty largest by money (`largest`) and those whose facts
    happened in the period (`period`), each a list of {id, indicator, money, score}."""
    dialect = Dialect.current()
    params: dict[str, Any] = {
        "start": dialect.ts_param(period.start),
        "end": dialect.ts_param(period.end),
    }
    narrowing = []
    for column in _SCOPE_COLUMNS:
        value = getattr(scope, column)
        if value is not None:
            narrowing.append(f"AND h.{column}_id = %({column})s")
            params[column] = value.pk
    sql = _STANDING_SQL.format(set_aside=in_list(SET_ASIDE), scope=" ".join(narrowing))
    parts: dict[str, list[dict[str, Any]]] = {"worst": [], "largest": [], "period": []}
    for part, pk, indicator, money, score in fetch_all(sql, params):
        parts[part].append(
            {"id": pk, "indicator": indicator, "money": _decimal(money), "score": int(score)}
        )
    return parts


def _hit_row(hit: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": hit["id"],
        "indicator": hit["indicator"],
        "money_kzt": _money(hit["money"]),
        "score": hit["score"],
    }


def red_flag_rows(scope: Scope, period: Period) -> dict[str, Any]:
    hits = standing_hits(scope, period)
    # UNION ALL keeps no order of its parts: rank them again (a handful of rows).
    worst = sorted(hits["worst"], key=lambda h: (-h["score"], -h["money"], h["id"]))
    largest = sorted(hits["largest"], key=lambda h: (-h["money"], -h["score"], h["id"]))
    totals: dict[str, dict[str, Any]] = {}
    for hit in hits["period"]:
        row = totals.setdefault(hit["indicator"], {"hits": 0, "money": Decimal(0)})
        row["hits"] += 1
        row["money"] += hit["money"]
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
