"""The monthly oversight report's figures, gathered with SQL aggregates.

Nothing here loads cases into Python to count them: each figure is a row of an aggregate query.
The result is plain data (codes and numbers, no names and no personal data) so that it can be
hashed: the same data gives the same hash in any language.

Definitions (the tests recompute each one from the events):
- the cases of the period: cases in scope received before the period's end and not closed
  before its start (so stalled cases with no events in the month are still counted);
- a stage is the time a case spends in an open state (received, assigned, contractor notified,
  repaired) between two lifecycle events; a re-route starts a new `assigned` stage, as it resets
  the stage deadline on the case. Its due moment is what the services set on entering it: the
  category's working days from the start (casework.deadlines' calendar), or the work order's own
  due moment for `contractor_notified`. A stage finished in the period is late if it ended after
  that moment; its length is the working days between its start and its end;
- the answer deadline in force at a moment is the one set by the latest of: the case's receipt,
  a reopening (the legal working days counted again), an extension (its new due moment).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from casework.deadlines import local_zone
from casework.models import Category
from casework.states import OPEN_STATES, CaseState
from reports.periods import Period, Scope, month_start, previous_month
from reports.sql import Dialect, fetch_all, fetch_iter, in_list

STAGE_ACTIONS = (
    "open",
    "assign",
    "notify_contractor",
    "report_repaired",
    "verify",
    "return_for_rework",
    "reject",
    "reopen",
)
EXTENSION_ACTION = "extend_deadline"
# The deadline sweep (workflows) writes one event per escalation with its level in the payload.
ESCALATION_ACTION = "escalate"
ALL_ACTIONS = (*STAGE_ACTIONS, EXTENSION_ACTION, ESCALATION_ACTION)
STAGES = (
    CaseState.RECEIVED,
    CaseState.ASSIGNED,
    CaseState.CONTRACTOR_NOTIFIED,
    CaseState.REPAIRED,
)
EVIDENCE_KINDS = ("before", "after", "inspection")
FLAGS = (
    "overdue_open",
    "repeated_extensions",
    "closed_on_deadline_reopened",
    "bounced",
    "verified_reopened",
    "photo_reused",
)
TREND_MONTHS = 12


@dataclass(frozen=True)
class Query:
    """The shared start of every query: the calendar, the cases of the period, their events,
    their stages and the answer deadline in force."""

    sql: str
    params: dict[str, Any]
    dialect: Dialect


def _scope_where(scope: Scope, alias: str = "c") -> tuple[str, dict[str, Any]]:
    where = [f"{alias}.region_id = %(region)s"]
    params: dict[str, Any] = {"region": scope.region.pk}
    if scope.district:
        where.append(f"{alias}.district_id = %(district)s")
        params["district"] = scope.district.pk
    if scope.department:
        where.append(f"{alias}.department_id = %(department)s")
        params["department"] = scope.department.pk
    if scope.contractor:
        where.append(
            "EXISTS (SELECT 1 FROM contractors_workorder w "
            f"WHERE w.case_id = {alias}.id AND w.contractor_id = %(contractor)s)"
        )
        params["contractor"] = scope.contractor.pk
    return " AND ".join(where), params


def _period_cases(scope: Scope, period: Period, d: Dialect) -> tuple[list[int], dt.date | None]:
    """Ids of the cases of the period (received before its end, not closed before its start)
    and the earliest receipt among them. Every later query starts from these ids, so the one
    scan of the case table that finds them is not repeated."""
    where, params = _scope_where(scope)
    rows = fetch_all(
        f"SELECT c.id, MIN({d.local_date('c.received_at')}) OVER () FROM casework_case c "
        f"WHERE {where} AND c.received_at < %(end)s "
        "AND (c.closed_at IS NULL OR c.closed_at >= %(start)s)",
        {**params, "start": d.ts_param(period.start), "end": d.ts_param(period.end)},
    )
    return [row[0] for row in rows], (d.date_value(rows[0][1]) if rows else None)


def _calendar_bounds(period: Period, earliest: dt.date | None) -> tuple[dt.date, dt.date]:
    first = min(earliest or period.month, period.month) - dt.timedelta(days=1)
    longest = Category.objects.aggregate(
        n=Max("sla_total_days"), r=Max("sla_repair_days"), w=Max("sla_work_order_days")
    )
    days = max([v or 0 for v in longest.values()] + [15])
    last = period.last_day + dt.timedelta(days=days * 3 + 40)
    return first, last


def base_query(scope: Scope, period: Period) -> Query:
    d = Dialect.current()
    ids, earliest = _period_cases(scope, period, d)
    first, last = _calendar_bounds(period, earliest)
    end_local = period.end.astimezone(local_zone())
    params: dict[str, Any] = dict(
        ids=d.ids_param(ids),
        start=d.ts_param(period.start),
        end=d.ts_param(period.end),
        end_d=end_local.date() if d.pg else end_local.date().isoformat(),
        end_t=end_local.time() if d.pg else end_local.time().isoformat(),
    )
    open_states = in_list(str(s) for s in OPEN_STATES)
    order_due = d.json_text("ev.payload", "due_at")
    sql = f"""
WITH {d.calendar_cte(first, last)},
pc AS (
    SELECT c.id, c.tracking_code, c.category_id, c.district_id, c.department_id, c.received_at,
           {d.local_date("c.received_at")} AS rd, {d.local_time("c.received_at")} AS rt
    FROM casework_case c
    WHERE {d.in_ids("c.id", "ids")}
),
ev AS (
    SELECT e.case_id, e.seq, e.action, e.from_state, e.to_state, e.created_at, e.payload,
           {d.local_date("e.created_at")} AS d, {d.local_time("e.created_at")} AS t
    FROM casework_caseevent e JOIN pc ON pc.id = e.case_id
    WHERE {d.in_ids("e.case_id", "ids")}
      AND e.created_at < %(end)s AND e.action IN {in_list(ALL_ACTIONS)}
),
iv AS (
    SELECT ev.case_id, ev.seq, ev.action, ev.from_state, ev.to_state AS stage,
           ev.created_at AS start_at, ev.d AS start_d, ev.t AS start_t,
           CASE WHEN ev.action = 'notify_contractor' THEN {order_due} END AS order_due,
           LEAD(ev.created_at) OVER w AS end_at, LEAD(ev.d) OVER w AS end_d,
           LEAD(ev.t) OVER w AS end_t, LAG(ev.seq) OVER w AS prev_seq,
           ROW_NUMBER() OVER (PARTITION BY ev.case_id ORDER BY ev.seq DESC) AS from_last
    FROM ev
    WHERE ev.action IN {in_list(STAGE_ACTIONS)}
    WINDOW w AS (PARTITION BY ev.case_id ORDER BY ev.seq)
),
stages AS (
    SELECT iv.case_id, iv.stage, iv.start_at, iv.end_at, pc.district_id, pc.department_id,
           ce.wd - cs.wd AS days,
           CASE
             WHEN iv.end_at IS NULL THEN NULL
             WHEN iv.order_due IS NOT NULL THEN
               CASE WHEN iv.end_at > {d.iso_timestamp("iv.order_due")} THEN 1 ELSE 0 END
             WHEN iv.end_d > dd.day OR (iv.end_d = dd.day AND iv.end_t > iv.start_t) THEN 1
             ELSE 0
           END AS late
    FROM iv
    JOIN pc ON pc.id = iv.case_id
    JOIN casework_category cat ON cat.id = pc.category_id
    JOIN cal cs ON cs.day = iv.start_d
    LEFT JOIN cal ce ON ce.day = iv.end_d
    LEFT JOIN cal dd ON dd.working = 1 AND dd.wd = cs.wd + (
        CASE iv.stage
          WHEN 'received' THEN cat.sla_triage_days
          WHEN 'assigned' THEN cat.sla_work_order_days
          WHEN 'contractor_notified' THEN cat.sla_repair_days
          ELSE cat.sla_verification_days
        END)
    WHERE iv.stage IN {open_states}
),
dues AS (
    SELECT ev.case_id, ev.seq,
           CASE WHEN ev.action = '{EXTENSION_ACTION}'
                THEN {d.iso_timestamp(d.json_text("ev.payload", "due_at"))} END AS ext_due,
           CASE WHEN ev.action <> '{EXTENSION_ACTION}' THEN dd.day END AS due_day,
           CASE WHEN ev.action = 'open' THEN pc.rt ELSE ev.t END AS due_t
    FROM ev
    JOIN pc ON pc.id = ev.case_id
    JOIN casework_category cat ON cat.id = pc.category_id
    JOIN cal cs ON cs.day = CASE WHEN ev.action = 'open' THEN pc.rd ELSE ev.d END
    LEFT JOIN cal dd ON dd.working = 1 AND dd.wd = cs.wd + cat.sla_total_days
    WHERE ev.action IN ('open', 'reopen', '{EXTENSION_ACTION}')
),
last_due AS (
    SELECT case_id, ext_due, due_day, due_t FROM (
        SELECT dues.*, ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY seq DESC) AS rn
        FROM dues) x
    WHERE rn = 1
),
last_state AS (SELECT case_id, stage, start_at FROM iv WHERE from_last = 1),
overdue AS (
    SELECT ls.case_id FROM last_state ls JOIN last_due ld ON ld.case_id = ls.case_id
    WHERE ls.stage IN {open_states}
      AND (ld.ext_due < %(end)s OR ld.due_day < %(end_d)s
           OR (ld.due_day = %(end_d)s AND ld.due_t < %(end_t)s))
)"""
    return Query(sql, params, d)


def _figures(q: Query) -> dict[str, Any]:
    d = q.dialect
    in_period = "ev.created_at >= %(start)s"
    sql = (
        q.sql
        + f"""
, done AS (SELECT * FROM stages WHERE end_at >= %(start)s),
ranked AS (
    SELECT stage, days, ROW_NUMBER() OVER (PARTITION BY stage ORDER BY days) AS rn,
           COUNT(*) OVER (PARTITION BY stage) AS n
    FROM done
)
SELECT 'received', '', COUNT(*) FROM ev WHERE ev.action = 'open' AND {in_period}
UNION ALL
SELECT 'assigned', '', COUNT(DISTINCT ev.case_id) FROM ev
 WHERE ev.action = 'assign' AND ev.from_state = 'received' AND {in_period}
UNION ALL
SELECT 'rerouted', '', COUNT(*) FROM ev
 WHERE ev.action = 'assign' AND ev.from_state = 'assigned' AND {in_period}
UNION ALL
SELECT 'verified', '', COUNT(DISTINCT ev.case_id) FROM ev WHERE ev.action = 'verify' AND {in_period}
UNION ALL
SELECT 'rejected', {d.json_text("ev.payload", "reason_code")}, COUNT(DISTINCT ev.case_id) FROM ev
 WHERE ev.action = 'reject' AND {in_period} GROUP BY {d.json_text("ev.payload", "reason_code")}
UNION ALL
SELECT 'reopened', ev.from_state, COUNT(*) FROM ev
 WHERE ev.action = 'reopen' AND {in_period} GROUP BY ev.from_state
UNION ALL
SELECT 'extensions', '', COUNT(*) FROM ev WHERE ev.action = '{EXTENSION_ACTION}' AND {in_period}
UNION ALL
SELECT 'escalations', CAST({d.json_int("ev.payload", "level")} AS TEXT), COUNT(*) FROM ev
 WHERE ev.action = '{ESCALATION_ACTION}' AND {in_period}
 GROUP BY {d.json_int("ev.payload", "level")}
UNION ALL
SELECT 'stage_done', stage, COUNT(*) FROM done GROUP BY stage
UNION ALL
SELECT 'stage_late', stage, SUM(late) FROM done GROUP BY stage
UNION ALL
SELECT 'stage_median', stage, AVG(days) FROM ranked
 WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY stage
UNION ALL
SELECT 'open_at_end', '', COUNT(*) FROM last_state
 WHERE stage IN {in_list(str(s) for s in OPEN_STATES)}
UNION ALL
SELECT 'overdue_open', '', COUNT(*) FROM overdue
"""
    )
    rows = fetch_all(sql, q.params)
    single: dict[str, int] = {}
    keyed: dict[str, dict[str, Any]] = defaultdict(dict)
    for metric, key, value in rows:
        if metric in ("rejected", "reopened", "escalations", "stage_done", "stage_late"):
            keyed[metric][str(key or "")] = int(value or 0)
        elif metric == "stage_median":
            keyed[metric][str(key)] = round(float(value), 1)
        else:
            single[metric] = int(value or 0)
    stages = []
    for stage in STAGES:
        done = keyed["stage_done"].get(stage, 0)
        late = keyed["stage_late"].get(stage, 0)
        stages.append(
            {
                "stage": str(stage),
                "done": done,
                "on_time": done - late,
                "late": late,
                "median_days": keyed["stage_median"].get(stage),
            }
        )
    return {
        **single,
        "rejected_by_reason": dict(sorted(keyed["rejected"].items())),
        "rejected": sum(keyed["rejected"].values()),
        "reopened_from": dict(sorted(keyed["reopened"].items())),
        "escalations_by_level": dict(
            sorted(keyed["escalations"].items(), key=lambda kv: int(kv[0] or 0))
        ),
        "stages": stages,
    }


def _grouped(q: Query, column: str) -> list[dict[str, Any]]:
    assert column in ("district_id", "department_id")
    in_period = "ev.created_at >= %(start)s"
    sql = (
        q.sql
        + f"""
SELECT pc.{column}, 'received', COUNT(*) FROM ev JOIN pc ON pc.id = ev.case_id
 WHERE ev.action = 'open' AND {in_period} GROUP BY pc.{column}
UNION ALL
SELECT pc.{column}, 'verified', COUNT(DISTINCT ev.case_id) FROM ev JOIN pc ON pc.id = ev.case_id
 WHERE ev.action = 'verify' AND {in_period} GROUP BY pc.{column}
UNION ALL
SELECT pc.{column}, 'rejected', COUNT(DISTINCT ev.case_id) FROM ev JOIN pc ON pc.id = ev.case_id
 WHERE ev.action = 'reject' AND {in_period} GROUP BY pc.{column}
UNION ALL
SELECT {column}, 'stages_done', COUNT(*) FROM stages WHERE end_at >= %(start)s GROUP BY {column}
UNION ALL
SELECT {column}, 'stages_late', SUM(late) FROM stages WHERE end_at >= %(start)s GROUP BY {column}
UNION ALL
SELECT pc.{column}, 'overdue_open', COUNT(*) FROM overdue JOIN pc ON pc.id = overdue.case_id
 GROUP BY pc.{column}
"""
    )
    table: dict[int | None, dict[str, int]] = {}
    for group, metric, value in fetch_all(sql, q.params):
        row = table.setdefault(group, {})
        row[metric] = int(value or 0)
    metrics = ("received", "verified", "rejected", "stages_done", "stages_late", "overdue_open")
    return [
        {"id": group, **{m: values.get(m, 0) for m in metrics}}
        for group, values in sorted(table.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    ]


def _flags(q: Query) -> dict[str, list[dict[str, str]]]:
    d = q.dialect
    sql = (
        q.sql
        + f"""
, reopened AS (
    SELECT iv.case_id, iv.seq, iv.from_state, iv.start_d, close_ev.seq AS close_seq,
           close_ev.d AS close_d
    FROM iv JOIN ev close_ev ON close_ev.case_id = iv.case_id AND close_ev.seq = iv.prev_seq
    WHERE iv.action = 'reopen' AND iv.start_at >= %(start)s
),
due_at_close AS (
    SELECT r.case_id, r.seq, r.close_d, du.ext_due, du.due_day,
           ROW_NUMBER() OVER (PARTITION BY r.case_id, r.seq ORDER BY du.seq DESC) AS rn
    FROM reopened r JOIN dues du ON du.case_id = r.case_id AND du.seq < r.close_seq
),
extensions AS (
    SELECT case_id, COUNT(*) AS n, MAX(created_at) AS latest FROM ev
    WHERE action = '{EXTENSION_ACTION}' GROUP BY case_id
),
reroutes AS (
    SELECT case_id, COUNT(*) AS n, MAX(created_at) AS latest FROM ev
    WHERE action = 'assign' AND from_state = 'assigned' GROUP BY case_id
)
SELECT 'overdue_open', pc.tracking_code,
       CAST(COALESCE({d.local_date("ld.ext_due")}, ld.due_day) AS TEXT)
  FROM overdue o JOIN pc ON pc.id = o.case_id JOIN last_due ld ON ld.case_id = o.case_id
UNION ALL
SELECT 'repeated_extensions', pc.tracking_code, CAST(x.n AS TEXT)
  FROM extensions x JOIN pc ON pc.id = x.case_id WHERE x.n >= 2 AND x.latest >= %(start)s
UNION ALL
SELECT 'closed_on_deadline_reopened', pc.tracking_code, CAST(dc.close_d AS TEXT)
  FROM due_at_close dc JOIN pc ON pc.id = dc.case_id
  WHERE dc.rn = 1 AND dc.close_d = COALESCE({d.local_date("dc.ext_due")}, dc.due_day)
UNION ALL
SELECT 'bounced', pc.tracking_code, CAST(x.n AS TEXT)
  FROM reroutes x JOIN pc ON pc.id = x.case_id WHERE x.n > 2 AND x.latest >= %(start)s
UNION ALL
SELECT 'verified_reopened', pc.tracking_code, CAST(r.start_d AS TEXT)
  FROM reopened r JOIN pc ON pc.id = r.case_id WHERE r.from_state = 'verified'
"""
    )
    flags: dict[str, dict[str, str]] = {flag: {} for flag in FLAGS}
    for flag, code, detail in fetch_all(sql, q.params):
        # One line per case; a case reopened twice in the month keeps its latest detail.
        flags[flag][code] = str(detail or "")
    for code, detail in _photo_reuse(q):
        flags["photo_reused"][code] = detail
    return {
        flag: [{"code": code, "detail": detail} for code, detail in sorted(rows.items())]
        for flag, rows in flags.items()
    }


def _photo_reuse(q: Query) -> list[tuple[str, str]]:
    """Repair evidence whose exact bytes (sha256) appear on another case; at least one of the
    uploads falls in the period. Perceptually similar photos come from the contractors app's
    photo checks when it has them."""
    kinds = in_list(EVIDENCE_KINDS)
    sql = (
        q.sql
        + f"""
, mine AS (
    SELECT a.case_id, a.sha256, a.uploaded_at FROM casework_attachment a
    JOIN pc ON pc.id = a.case_id WHERE a.kind IN {kinds}
),
reused AS (
    SELECT m.case_id, o.case_id AS other_id FROM mine m
    JOIN casework_attachment o ON o.sha256 = m.sha256 AND o.case_id <> m.case_id
    WHERE o.kind IN {kinds} AND o.uploaded_at < %(end)s
      AND (m.uploaded_at >= %(start)s OR o.uploaded_at >= %(start)s)
      AND m.uploaded_at < %(end)s
)
SELECT DISTINCT pc.tracking_code, other.tracking_code
FROM reused r JOIN pc ON pc.id = r.case_id JOIN casework_case other ON other.id = r.other_id
"""
    )
    pairs: dict[str, set[str]] = defaultdict(set)
    for code, other in fetch_all(sql, q.params):
        pairs[code].add(other)
    for code, other in _perceptual_reuse(q):
        pairs[code].add(other)
    return [(code, ", ".join(sorted(others))) for code, others in pairs.items()]


def _perceptual_reuse(q: Query) -> list[tuple[str, str]]:
    """Pairs the contractors app found by perceptual hash (`PhotoReuse`), when it is installed."""
    from django.apps import apps

    try:
        apps.get_model("contractors", "PhotoReuse")
    except LookupError:
        return []
    kinds = in_list(EVIDENCE_KINDS)
    sql = (
        q.sql
        + f"""
, pairs AS (
    SELECT a.case_id AS case_id, b.case_id AS other_id,
           aa.uploaded_at AS mine_at, ba.uploaded_at AS other_at, aa.kind AS k1, ba.kind AS k2
    FROM contractors_photoreuse r
    JOIN contractors_photocheck a ON a.id = r.photo_id
    JOIN contractors_photocheck b ON b.id = r.earlier_id
    JOIN casework_attachment aa ON aa.id = a.attachment_id
    JOIN casework_attachment ba ON ba.id = b.attachment_id
),
both_ways AS (
    SELECT case_id, other_id, mine_at, other_at, k1, k2 FROM pairs
    UNION ALL
    SELECT other_id, case_id, other_at, mine_at, k2, k1 FROM pairs
)
SELECT DISTINCT pc.tracking_code, other.tracking_code
FROM both_ways w JOIN pc ON pc.id = w.case_id
JOIN casework_case other ON other.id = w.other_id
WHERE w.case_id <> w.other_id AND w.k1 IN {kinds} AND w.k2 IN {kinds}
  AND w.mine_at < %(end)s AND w.other_at < %(end)s
  AND (w.mine_at >= %(start)s OR w.other_at >= %(start)s)
"""
    )
    return [(code, other) for code, other in fetch_all(sql, q.params)]


def _trend(scope: Scope, period: Period) -> list[dict[str, Any]]:
    d = Dialect.current()
    first = period.month
    for _ in range(TREND_MONTHS - 1):
        first = previous_month(first)
    where, params = _scope_where(scope)
    sql = f"""
SELECT {d.local_month("e.created_at")} AS m, e.action, COUNT(DISTINCT e.case_id)
FROM casework_caseevent e JOIN casework_case c ON c.id = e.case_id
WHERE e.action IN ('open', 'verify') AND e.created_at >= %(trend_start)s
  AND e.created_at < %(end)s AND {where}
GROUP BY {d.local_month("e.created_at")}, e.action
"""
    params.update(trend_start=d.ts_param(month_start(first)), end=d.ts_param(period.end))
    counts: dict[tuple[str, str], int] = {}
    for month, action, n in fetch_all(sql, params):
        counts[(str(month), action)] = int(n)
    months = []
    day = first
    while day <= period.month:
        code = day.strftime("%Y-%m")
        months.append(
            {
                "month": code,
                "received": counts.get((code, "open"), 0),
                "verified": counts.get((code, "verify"), 0),
            }
        )
        day = day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)
    return months


CSV_COLUMNS = (
    "tracking_code",
    "category",
    "district",
    "department",
    "received_at",
    "state_at_period_end",
    "answer_due_at_period_end",
    "overdue_at_period_end",
    "reroutes",
    "extensions",
    "returns_for_rework",
    "reopenings",
    "highest_escalation",
    "red_flags",
)


def case_rows(q: Query, flags: dict[str, list[dict[str, str]]]):
    """The period's cases for the CSV attachment, one row each, no personal data."""
    d = q.dialect
    sql = (
        q.sql
        + f"""
, counts AS (
    SELECT case_id,
           SUM(CASE WHEN action = 'assign' AND from_state = 'assigned' THEN 1 ELSE 0 END)
             AS reroutes,
           SUM(CASE WHEN action = '{EXTENSION_ACTION}' THEN 1 ELSE 0 END) AS extensions,
           SUM(CASE WHEN action = 'return_for_rework' THEN 1 ELSE 0 END) AS reworks,
           SUM(CASE WHEN action = 'reopen' THEN 1 ELSE 0 END) AS reopenings,
           MAX(CASE WHEN action = '{ESCALATION_ACTION}'
                    THEN {d.json_int("payload", "level")} ELSE 0 END) AS escalation
    FROM ev GROUP BY case_id
)
SELECT pc.tracking_code, cat.code, dist.code, dep.code, pc.rd, pc.rt, ls.stage,
       {d.local_date("ld.ext_due")}, {d.local_time("ld.ext_due")}, ld.due_day, ld.due_t,
       CASE WHEN o.case_id IS NULL THEN 0 ELSE 1 END,
       counts.reroutes, counts.extensions, counts.reworks, counts.reopenings, counts.escalation
FROM pc
JOIN casework_category cat ON cat.id = pc.category_id
JOIN casework_district dist ON dist.id = pc.district_id
LEFT JOIN casework_department dep ON dep.id = pc.department_id
LEFT JOIN last_state ls ON ls.case_id = pc.id
LEFT JOIN last_due ld ON ld.case_id = pc.id
LEFT JOIN overdue o ON o.case_id = pc.id
LEFT JOIN counts ON counts.case_id = pc.id
WHERE NOT (ls.stage IN ('verified', 'rejected') AND ls.start_at < %(start)s)
ORDER BY pc.tracking_code
"""
    )
    flags_of: dict[str, list[str]] = defaultdict(list)
    for flag, rows in flags.items():
        for row in rows:
            flags_of[row["code"]].append(flag)

    def moment(day, time) -> str:
        if day is None:
            return ""
        return f"{str(day)[:10]} {str(time or '')[:5]}".strip()

    for row in fetch_iter(sql, q.params):
        (code, category, district, department, rd, rt, stage, ext_d, ext_t, due_d, due_t) = row[:11]
        overdue, reroutes, extensions, reworks, reopenings, escalation = row[11:]
        yield (
            code,
            category,
            district,
            department or "",
            moment(rd, rt),
            stage or "",
            moment(ext_d, ext_t) if ext_d else moment(due_d, due_t),
            int(overdue),
            int(reroutes or 0),
            int(extensions or 0),
            int(reworks or 0),
            int(reopenings or 0),
            int(escalation or 0),
            ";".join(flags_of.get(code, [])),
        )


def monthly_gather(scope: Scope, period: Period, progress=None) -> tuple[dict[str, Any], Query]:
    """Every figure of the monthly report for `scope` and `period`, as plain data."""
    step = progress or (lambda value: None)
    q = base_query(scope, period)
    figures = _figures(q)
    step(20)
    by_district = _grouped(q, "district_id")
    by_department = _grouped(q, "department_id")
    step(30)
    flags = _flags(q)
    step(40)
    trend = _trend(scope, period)
    step(45)
    from reports import scorecards

    data = {
        "period": period.code,
        "scope": scope.key(),
        "complete_month": period.complete,
        "figures": figures,
        "by_district": by_district,
        "by_department": by_department,
        "flags": flags,
        "trend": trend,
        "contractors": scorecards.contractor_rows(scope, period),
        "officials": scorecards.official_rows(scope, period),
    }
    step(50)
    return data, q
