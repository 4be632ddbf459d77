"""The monthly oversight report's figures, gathered with SQL aggregates.

Nothing here loads cases into Python to count them: each figure is a row of an aggregate query.
The result is plain data (codes and numbers, no names and no personal data) so that it can be
hashed: the same data gives the same hash in any language.

A closed month never changes after the fact: every figure is read from what was stored when it
happened, never from a case's current row or today's settings.
- the cases of the period: cases in scope received before the period's end and not closed at its
  start, judged by their events (a case reopened later is not pulled back into an old month);
  a department's report holds the cases that were with it at the period's end (by the events);
- a stage is the time a case spends in an open state (received, assigned, contractor notified,
  repaired) between two lifecycle events; a re-route starts a new `assigned` stage. Its due
  moment is the one the services stored on the event that started it (`stage_due_at` in the
  payload; the work order's `due_at` on older `notify_contractor` events). Events written before
  the deadlines were kept on them carry neither: for those the due moment is counted from the
  category's working days as they were set at that moment (the category's history), never from
  today's settings. A stage finished in the period is late if it ended after that moment; its
  length is the working days between its start and its end;
- the answer deadline in force at a moment is the one stored (`answer_due_at`, or an extension's
  `due_at`) by the latest of: the case's receipt, a reopening, an extension; older events
  without it fall back to the category's history as above;
- the department of a figure is the one the case was with when it happened (the latest routing
  event before it); cases received and open at the period's end count for the department they
  were with at its end. Districts and regions are the case's own.

Table names come from the models (`_meta.db_table`); no other app's table is spelled out here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from casework.deadlines import local_zone
from casework.models import Attachment, Case, CaseEvent, Category
from casework.states import CLOSED_STATES, OPEN_STATES, CaseState
from contractors.models import PhotoCheck, PhotoReuse, WorkOrder
from reports import accountability, extra_sections, scorecards
from reports.periods import Period, Scope, month_start, next_month, previous_month
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
    # A corruption report's lifecycle.
    "review_start",
    "refer",
    "answer",
)
EXTENSION_ACTION = "extend_deadline"
# The deadline sweep (casework.sweep) writes one event per escalation with its level.
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
    "photo_evidence",
)
# Photo checks (contractors.evidence) that make repair evidence doubtful.
PHOTO_CHECKS = ("taken_before_order", "far_from_site", "same_as_before")
TREND_MONTHS = 12
# The figures compared with the previous month and the same month a year before: counts of what
# happened in a month, read from the events alone.
COMPARED = (
    "received",
    "assigned",
    "rerouted",
    "verified",
    "rejected",
    "reopened",
    "extensions",
    "escalations",
)


def table(model) -> str:
    return model._meta.db_table


def _tables() -> dict[str, str]:
    return {
        "case": table(Case),
        "event": table(CaseEvent),
        "category": table(Category),
        "category_history": table(Category.history.model),
        "attachment": table(Attachment),
        "work_order": table(WorkOrder),
        "photo_check": table(PhotoCheck),
        "photo_reuse": table(PhotoReuse),
    }


@dataclass(frozen=True)
class Query:
    """The shared start of every query: the calendar, the cases of the period, their events,
    their stages and the answer deadline in force."""

    sql: str
    params: dict[str, Any]
    dialect: Dialect


def _scope_where(scope: Scope, alias: str = "c") -> tuple[str, dict[str, Any]]:
    where = ["1 = 1"]
    params: dict[str, Any] = {}
    if scope.region is not None:
        where.append(f"{alias}.region_id = %(region)s")
        params["region"] = scope.region.pk
    if scope.district:
        where.append(f"{alias}.district_id = %(district)s")
        params["district"] = scope.district.pk
    if scope.contractor:
        where.append(
            f"EXISTS (SELECT 1 FROM {table(WorkOrder)} w WHERE w.case_id = {alias}.id "
            "AND w.contractor_id = %(contractor)s AND w.issued_at < %(end)s)"
        )
        params["contractor"] = scope.contractor.pk
    return " AND ".join(where), params


def _period_cases(scope: Scope, period: Period, d: Dialect) -> tuple[list[int], dt.date | None]:
    """Ids of the cases of the period and the earliest receipt among them. Every later query
    starts from these ids, so the one scan of the case table that finds them is not repeated.

    The case row's `closed_at` only narrows the search (a case closed before the period and
    never reopened cannot be in it); whether a reopened case was closed at the period's start,
    and which department a case was with at its end, are read from the events."""
    t = _tables()
    where, params = _scope_where(scope)
    closed = in_list(str(s) for s in CLOSED_STATES)
    stage_actions = in_list(STAGE_ACTIONS)
    department = ""
    if scope.department:
        department = (
            f" AND (SELECT {d.json_int('a.payload', 'department')} FROM {t['event']} a "
            "WHERE a.case_id = c.id AND a.action = 'assign' AND a.created_at < %(end)s "
            "ORDER BY a.seq DESC LIMIT 1) = %(department)s"
        )
        params["department"] = scope.department.pk
    rows = fetch_all(
        f"SELECT c.id, MIN({d.local_date('c.received_at')}) OVER () FROM {t['case']} c "
        f"WHERE {where} AND c.received_at < %(end)s "
        "AND (c.closed_at IS NULL OR c.closed_at >= %(start)s) "
        f"AND NOT (c.reopen_count > 0 AND COALESCE((SELECT b.to_state FROM {t['event']} b "
        f"WHERE b.case_id = c.id AND b.created_at < %(start)s AND b.action IN {stage_actions} "
        f"ORDER BY b.seq DESC LIMIT 1), '') IN {closed}){department}",
        {**params, "start": d.ts_param(period.start), "end": d.ts_param(period.end)},
    )
    return [row[0] for row in rows], (d.date_value(rows[0][1]) if rows else None)


def _calendar_bounds(period: Period, earliest: dt.date | None) -> tuple[dt.date, dt.date]:
    first = min(earliest or period.month, period.month) - dt.timedelta(days=1)
    longest = [15]
    for model in (Category, Category.history.model):
        found = model.objects.aggregate(
            n=Max("sla_total_days"), r=Max("sla_repair_days"), w=Max("sla_work_order_days")
        )
        longest += [v or 0 for v in found.values()]
    last = period.last_day + dt.timedelta(days=max(longest) * 3 + 40)
    return first, last


def _settings_then(d: Dialect, t: dict[str, str]) -> str:
    """`cat_h`: each category's deadlines with the moments they held (its history rows); the
    first row also holds for everything before it."""
    return f"""cat_h AS (
    SELECT h.id AS category_id,
           CASE WHEN ROW_NUMBER() OVER w = 1 THEN NULL ELSE h.history_date END AS valid_from,
           LEAD(h.history_date) OVER w AS valid_to,
           h.sla_triage_days, h.sla_work_order_days, h.sla_repair_days,
           h.sla_verification_days, h.sla_total_days
    FROM {t["category_history"]} h
    WINDOW w AS (PARTITION BY h.id ORDER BY h.history_date, h.history_id)
)"""


def _held_at(moment: str) -> str:
    """Join condition: the category settings row `ch` in force at `moment`."""
    return (
        f"ch.category_id = pc.category_id AND (ch.valid_from IS NULL OR ch.valid_from <= {moment}) "
        f"AND (ch.valid_to IS NULL OR {moment} < ch.valid_to)"
    )


def base_query(scope: Scope, period: Period) -> Query:
    d = Dialect.current()
    t = _tables()
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

    def stored(key: str) -> str:
        return d.json_text("ev.payload", key)

    sql = f"""
WITH {d.calendar_cte(first, last)},
{_settings_then(d, t)},
pc AS (
    SELECT c.id, c.tracking_code, c.category_id, c.region_id, c.district_id, c.received_at,
           {d.local_date("c.received_at")} AS rd, {d.local_time("c.received_at")} AS rt
    FROM {t["case"]} c
    WHERE {d.in_ids("c.id", "ids")}
),
ev0 AS (
    SELECT e.case_id, e.seq, e.action, e.from_state, e.to_state, e.created_at, e.payload,
           e.actor_id, {d.local_date("e.created_at")} AS d, {d.local_time("e.created_at")} AS t,
           MAX(CASE WHEN e.action = 'assign' THEN e.seq END)
             OVER (PARTITION BY e.case_id ORDER BY e.seq) AS assign_seq
    FROM {t["event"]} e JOIN pc ON pc.id = e.case_id
    WHERE {d.in_ids("e.case_id", "ids")}
      AND e.created_at < %(end)s AND e.action IN {in_list(ALL_ACTIONS)}
),
ev AS (
    SELECT ev0.*, {d.json_int("a.payload", "department")} AS department_id
    FROM ev0 LEFT JOIN ev0 a ON a.case_id = ev0.case_id AND a.seq = ev0.assign_seq
),
iv AS (
    SELECT ev.case_id, ev.seq, ev.action, ev.from_state, ev.to_state AS stage, ev.department_id,
           ev.actor_id, ev.created_at AS start_at, ev.d AS start_d, ev.t AS start_t,
           COALESCE({stored("stage_due_at")},
                    CASE WHEN ev.action = 'notify_contractor' THEN {stored("due_at")} END)
             AS stored_due,
           LEAD(ev.created_at) OVER w AS end_at, LEAD(ev.d) OVER w AS end_d,
           LEAD(ev.t) OVER w AS end_t, LAG(ev.seq) OVER w AS prev_seq,
           ROW_NUMBER() OVER (PARTITION BY ev.case_id ORDER BY ev.seq DESC) AS from_last
    FROM ev
    WHERE ev.action IN {in_list(STAGE_ACTIONS)}
    WINDOW w AS (PARTITION BY ev.case_id ORDER BY ev.seq)
),
stages AS (
    SELECT iv.case_id, iv.stage, iv.start_at, iv.end_at, pc.district_id, pc.region_id,
           iv.department_id, ce.wd - cs.wd AS days,
           CASE
             WHEN iv.end_at IS NULL THEN NULL
             WHEN iv.stored_due IS NOT NULL THEN
               CASE WHEN iv.end_at > {d.iso_timestamp("iv.stored_due")} THEN 1 ELSE 0 END
             WHEN iv.end_d > dd.day OR (iv.end_d = dd.day AND iv.end_t > iv.start_t) THEN 1
             ELSE 0
           END AS late
    FROM iv
    JOIN pc ON pc.id = iv.case_id
    JOIN {t["category"]} cat ON cat.id = pc.category_id
    LEFT JOIN cat_h ch ON iv.stored_due IS NULL AND {_held_at("iv.start_at")}
    JOIN cal cs ON cs.day = iv.start_d
    LEFT JOIN cal ce ON ce.day = iv.end_d
    LEFT JOIN cal dd ON iv.stored_due IS NULL AND dd.working = 1 AND dd.wd = cs.wd + (
        CASE iv.stage
          WHEN 'received' THEN COALESCE(ch.sla_triage_days, cat.sla_triage_days)
          WHEN 'assigned' THEN COALESCE(ch.sla_work_order_days, cat.sla_work_order_days)
          WHEN 'contractor_notified' THEN COALESCE(ch.sla_repair_days, cat.sla_repair_days)
          ELSE COALESCE(ch.sla_verification_days, cat.sla_verification_days)
        END)
    WHERE iv.stage IN {open_states}
),
dues AS (
    SELECT ev.case_id, ev.seq,
           {
        d.iso_timestamp(
            f"COALESCE({stored('answer_due_at')}, CASE WHEN ev.action = "
            f"'{EXTENSION_ACTION}' THEN {stored('due_at')} END)"
        )
    } AS due_ts,
           dd.day AS due_day,
           CASE WHEN ev.action = 'open' THEN pc.rt ELSE ev.t END AS due_t
    FROM ev
    JOIN pc ON pc.id = ev.case_id
    JOIN {t["category"]} cat ON cat.id = pc.category_id
    LEFT JOIN cat_h ch ON {_held_at("ev.created_at")}
    JOIN cal cs ON cs.day = CASE WHEN ev.action = 'open' THEN pc.rd ELSE ev.d END
    LEFT JOIN cal dd ON dd.working = 1
      AND dd.wd = cs.wd + COALESCE(ch.sla_total_days, cat.sla_total_days)
    WHERE ev.action IN ('open', 'reopen', '{EXTENSION_ACTION}')
),
last_due AS (
    SELECT case_id, due_ts, due_day, due_t FROM (
        SELECT dues.*, ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY seq DESC) AS rn
        FROM dues) x
    WHERE rn = 1
),
last_state AS (
    SELECT case_id, stage, start_at, department_id, actor_id FROM iv WHERE from_last = 1
),
overdue AS (
    SELECT ls.case_id FROM last_state ls JOIN last_due ld ON ld.case_id = ls.case_id
    WHERE ls.stage IN {open_states}
      AND (ld.due_ts < %(end)s OR (ld.due_ts IS NULL AND (ld.due_day < %(end_d)s
           OR (ld.due_day = %(end_d)s AND ld.due_t < %(end_t)s))))
)"""
    return Query(sql, params, d)


def _figures_ctes() -> str:
    return """
, done AS (SELECT * FROM stages WHERE end_at >= %(start)s),
ranked AS (
    SELECT stage, days, ROW_NUMBER() OVER (PARTITION BY stage ORDER BY days) AS rn,
           COUNT(*) OVER (PARTITION BY stage) AS n
    FROM done
)"""


def _figures_select(d: Dialect) -> str:
    """Rows (metric, key, value)."""
    in_period = "ev.created_at >= %(start)s"
    return f"""
SELECT 'received' AS k1, '' AS k2, COUNT(*) AS v FROM ev WHERE ev.action = 'open' AND {in_period}
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


def _figures_from(rows) -> dict[str, Any]:
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


def _figures(q: Query) -> dict[str, Any]:
    return _figures_from(fetch_all(q.sql + _figures_ctes() + _figures_select(q.dialect), q.params))


GROUP_METRICS = ("received", "verified", "rejected", "stages_done", "stages_late", "overdue_open")


def _grouped_select(level: str) -> str:
    """Rows (group id, metric, value), one group per region, district or department.
    Departments: as the case was with when the counted thing happened (received and overdue:
    at the period's end)."""
    assert level in ("region", "district", "department")
    in_period = "ev.created_at >= %(start)s"
    if level == "department":
        at_event, at_end = "ev.department_id", "ls.department_id"
    else:
        at_event = at_end = f"pc.{level}_id"
    return f"""
SELECT {at_end} AS k1, 'received' AS k2, COUNT(*) AS v FROM ev JOIN pc ON pc.id = ev.case_id
 LEFT JOIN last_state ls ON ls.case_id = ev.case_id
 WHERE ev.action = 'open' AND {in_period} GROUP BY {at_end}
UNION ALL
SELECT {at_event}, 'verified', COUNT(DISTINCT ev.case_id) FROM ev JOIN pc ON pc.id = ev.case_id
 WHERE ev.action = 'verify' AND {in_period} GROUP BY {at_event}
UNION ALL
SELECT {at_event}, 'rejected', COUNT(DISTINCT ev.case_id) FROM ev JOIN pc ON pc.id = ev.case_id
 WHERE ev.action = 'reject' AND {in_period} GROUP BY {at_event}
UNION ALL
SELECT {level}_id, 'stages_done', COUNT(*) FROM stages WHERE end_at >= %(start)s
 GROUP BY {level}_id
UNION ALL
SELECT {level}_id, 'stages_late', SUM(late) FROM stages WHERE end_at >= %(start)s
 GROUP BY {level}_id
UNION ALL
SELECT {at_end}, 'overdue_open', COUNT(*) FROM overdue JOIN pc ON pc.id = overdue.case_id
 JOIN last_state ls ON ls.case_id = overdue.case_id GROUP BY {at_end}
"""


def _grouped_from(rows) -> list[dict[str, Any]]:
    groups: dict[int | None, dict[str, int]] = {}
    for group, metric, value in rows:
        row = groups.setdefault(None if group is None else int(group), {})
        row[metric] = int(value or 0)
    return [
        {"id": group, **{m: values.get(m, 0) for m in GROUP_METRICS}}
        for group, values in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    ]


def _grouped(q: Query, level: str) -> list[dict[str, Any]]:
    """One row per region, district or department (see `_grouped_select`)."""
    return _grouped_from(fetch_all(q.sql + _grouped_select(level), q.params))


def _flags_ctes() -> str:
    return f"""
, reopened AS (
    SELECT iv.case_id, iv.seq, iv.from_state, iv.start_d, close_ev.seq AS close_seq,
           close_ev.d AS close_d
    FROM iv JOIN ev close_ev ON close_ev.case_id = iv.case_id AND close_ev.seq = iv.prev_seq
    WHERE iv.action = 'reopen' AND iv.start_at >= %(start)s
),
due_at_close AS (
    SELECT r.case_id, r.seq, r.close_d, du.due_ts, du.due_day,
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
)"""


def _flags_select(d: Dialect) -> str:
    """Rows (flag, tracking code, detail) of the flags read from the events."""
    return f"""
SELECT 'overdue_open' AS k1, pc.tracking_code AS k2,
       CAST(COALESCE({d.local_date("ld.due_ts")}, ld.due_day) AS TEXT) AS v
  FROM overdue o JOIN pc ON pc.id = o.case_id JOIN last_due ld ON ld.case_id = o.case_id
UNION ALL
SELECT 'repeated_extensions', pc.tracking_code, CAST(x.n AS TEXT)
  FROM extensions x JOIN pc ON pc.id = x.case_id WHERE x.n >= 2 AND x.latest >= %(start)s
UNION ALL
SELECT 'closed_on_deadline_reopened', pc.tracking_code, CAST(dc.close_d AS TEXT)
  FROM due_at_close dc JOIN pc ON pc.id = dc.case_id
  WHERE dc.rn = 1 AND dc.close_d = COALESCE({d.local_date("dc.due_ts")}, dc.due_day)
UNION ALL
SELECT 'bounced', pc.tracking_code, CAST(x.n AS TEXT)
  FROM reroutes x JOIN pc ON pc.id = x.case_id WHERE x.n > 2 AND x.latest >= %(start)s
UNION ALL
SELECT 'verified_reopened', pc.tracking_code, CAST(r.start_d AS TEXT)
  FROM reopened r JOIN pc ON pc.id = r.case_id WHERE r.from_state = 'verified'
"""


def _flags_from(q: Query, rows) -> dict[str, list[dict[str, str]]]:
    """The flags from the events' rows, with the photo flags read here."""
    flags: dict[str, dict[str, str]] = {flag: {} for flag in FLAGS}
    for flag, code, detail in rows:
        # One line per case; a case reopened twice in the month keeps its latest detail.
        flags[flag][code] = str(detail or "")
    for code, detail in _photo_reuse(q):
        flags["photo_reused"][code] = detail
    for code, detail in _photo_evidence(q):
        flags["photo_evidence"][code] = detail
    return {
        flag: [{"code": code, "detail": detail} for code, detail in sorted(rows.items())]
        for flag, rows in flags.items()
    }


def _flags(q: Query) -> dict[str, list[dict[str, str]]]:
    rows = fetch_all(q.sql + _flags_ctes() + _flags_select(q.dialect), q.params)
    return _flags_from(q, rows)


def _sections(q: Query, levels: tuple[str, ...]):
    """The key figures, the tables by `levels` and the flags from the events in one statement:
    the period's events, stages and deadlines (the shared start) are derived once for all of
    them instead of once per part. Returns (figures, {level: rows}, flags)."""
    d = q.dialect
    text, number = "CAST(NULL AS TEXT)", "CAST(NULL AS NUMERIC)"
    parts = [f"SELECT 'figures' AS part, k1, k2, v, {text} AS detail FROM ({_figures_select(d)}) f"]
    parts += [
        f"SELECT '{level}', CAST(k1 AS TEXT), k2, v, {text} FROM ({_grouped_select(level)}) g"
        for level in levels
    ]
    parts.append(f"SELECT 'flags', k1, k2, {number}, v FROM ({_flags_select(d)}) fl")
    sql = q.sql + _figures_ctes() + _flags_ctes() + "\nUNION ALL\n".join(parts)
    split: dict[str, list[tuple]] = defaultdict(list)
    for part, k1, k2, value, detail in fetch_all(sql, q.params):
        split[part].append((k1, k2, detail if part == "flags" else value))
    return (
        _figures_from(split["figures"]),
        {level: _grouped_from(split[level]) for level in levels},
        _flags_from(q, split["flags"]),
    )


def _photo_reuse(q: Query) -> list[tuple[str, str]]:
    """Repair evidence whose exact bytes (sha256) appear on another case; at least one of the
    uploads falls in the period. Perceptually similar photos come from the contractors app's
    photo checks when it has them."""
    kinds = in_list(EVIDENCE_KINDS)
    t = _tables()
    sql = (
        q.sql
        + f"""
, mine AS (
    SELECT a.case_id, a.sha256, a.uploaded_at FROM {t["attachment"]} a
    JOIN pc ON pc.id = a.case_id WHERE a.kind IN {kinds}
),
reused AS (
    SELECT m.case_id, o.case_id AS other_id FROM mine m
    JOIN {t["attachment"]} o ON o.sha256 = m.sha256 AND o.case_id <> m.case_id
    WHERE o.kind IN {kinds} AND o.uploaded_at < %(end)s
      AND (m.uploaded_at >= %(start)s OR o.uploaded_at >= %(start)s)
      AND m.uploaded_at < %(end)s
)
SELECT DISTINCT pc.tracking_code, other.tracking_code
FROM reused r JOIN pc ON pc.id = r.case_id JOIN {t["case"]} other ON other.id = r.other_id
"""
    )
    pairs: dict[str, set[str]] = defaultdict(set)
    for code, other in fetch_all(sql, q.params):
        pairs[code].add(other)
    for code, other in _perceptual_reuse(q):
        pairs[code].add(other)
    return [(code, ", ".join(sorted(others))) for code, others in pairs.items()]


def _photo_evidence(q: Query) -> list[tuple[str, str]]:
    """Cases with repair photos stored in the period that their checks doubt: taken before the
    work order, far from the site, or the "before" picture again. Detail: the checks' codes."""
    t = _tables()
    checks = ", ".join(f"MAX(CASE WHEN pk.{name} THEN 1 ELSE 0 END)" for name in PHOTO_CHECKS)
    sql = (
        q.sql
        + f"""
SELECT pc.tracking_code, {checks}
FROM {t["photo_check"]} pk JOIN pc ON pc.id = pk.case_id
JOIN {t["attachment"]} a ON a.id = pk.attachment_id
WHERE a.uploaded_at >= %(start)s AND a.uploaded_at < %(end)s
  AND ({" OR ".join(f"pk.{name}" for name in PHOTO_CHECKS)})
GROUP BY pc.tracking_code
"""
    )
    return [
        (code, ",".join(name for name, hit in zip(PHOTO_CHECKS, hits, strict=True) if hit))
        for code, *hits in fetch_all(sql, q.params)
    ]


def _perceptual_reuse(q: Query) -> list[tuple[str, str]]:
    """Pairs the contractors app found by perceptual hash (`PhotoReuse`)."""
    kinds = in_list(EVIDENCE_KINDS)
    t = _tables()
    sql = (
        q.sql
        + f"""
, pairs AS (
    SELECT a.case_id AS case_id, b.case_id AS other_id,
           aa.uploaded_at AS mine_at, ba.uploaded_at AS other_at, aa.kind AS k1, ba.kind AS k2
    FROM {t["photo_reuse"]} r
    JOIN {t["photo_check"]} a ON a.id = r.photo_id
    JOIN {t["photo_check"]} b ON b.id = r.earlier_id
    JOIN {t["attachment"]} aa ON aa.id = a.attachment_id
    JOIN {t["attachment"]} ba ON ba.id = b.attachment_id
),
both_ways AS (
    SELECT case_id, other_id, mine_at, other_at, k1, k2 FROM pairs
    UNION ALL
    SELECT other_id, case_id, other_at, mine_at, k2, k1 FROM pairs
)
SELECT DISTINCT pc.tracking_code, other.tracking_code
FROM both_ways w JOIN pc ON pc.id = w.case_id
JOIN {t["case"]} other ON other.id = w.other_id
WHERE w.case_id <> w.other_id AND w.k1 IN {kinds} AND w.k2 IN {kinds}
  AND w.mine_at < %(end)s AND w.other_at < %(end)s
  AND (w.mine_at >= %(start)s OR w.other_at >= %(start)s)
"""
    )
    return [(code, other) for code, other in fetch_all(sql, q.params)]


def _month_codes(last: dt.date, count: int) -> list[str]:
    first = last
    for _ in range(count - 1):
        first = previous_month(first)
    codes = []
    day = first
    while day <= last:
        codes.append(day.strftime("%Y-%m"))
        day = next_month(day)
    return codes


def _monthly_counts(scope: Scope, period: Period) -> dict[str, dict[str, int]]:
    """What happened in each of the thirteen months up to the period (the same month a year
    before included): month code -> figure -> count, from the events alone. In a department's
    report an event counts when the case was with the department then (receipts: the department
    it was first routed to).

    One pass over the events of the thirteen months (the `(action, created_at)` index): each
    event's month is found by comparing its moment with the months' starts (integers, no text
    per row), the events are summed per month and case, then per month; a case assigned,
    verified or rejected twice in a month counts once."""
    d = Dialect.current()
    t = _tables()
    months = _month_codes(period.month, TREND_MONTHS + 1)
    firsts = [dt.date(int(code[:4]), int(code[5:]), 1) for code in months]
    where, params = _scope_where(scope)
    in_scope = ""
    if where != "1 = 1":
        in_scope = f" AND e.case_id IN (SELECT c.id FROM {t['case']} c WHERE {where})"
    department = ""
    if scope.department:
        routed = (
            f"SELECT {d.json_int('a.payload', 'department')} FROM {t['event']} a "
            "WHERE a.case_id = e.case_id AND a.action = 'assign'"
        )
        department = (
            f" AND COALESCE(({routed} AND a.seq <= e.seq ORDER BY a.seq DESC LIMIT 1), "
            f"({routed} AND a.created_at < %(end)s ORDER BY a.seq LIMIT 1)) = %(department)s"
        )
        params["department"] = scope.department.pk
    month_of = " ".join(
        f"WHEN e.created_at < %(month_{i})s THEN {i - 1}" for i in range(1, len(firsts))
    )
    for i, first in enumerate(firsts):
        params[f"month_{i}"] = d.ts_param(month_start(first))
    reroute = "e.action = 'assign' AND e.from_state = 'assigned'"

    def per_case(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    sql = f"""
SELECT m, SUM(received), SUM(rerouted), SUM(reopened), SUM(extensions), SUM(escalations),
       SUM(CASE WHEN assigned > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN verified > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN rejected > 0 THEN 1 ELSE 0 END)
FROM (
  SELECT CASE {month_of} ELSE {len(firsts) - 1} END AS m, e.case_id,
         {per_case("e.action = 'open'")} AS received,
         {per_case(reroute)} AS rerouted,
         {per_case("e.action = 'reopen'")} AS reopened,
         {per_case(f"e.action = '{EXTENSION_ACTION}'")} AS extensions,
         {per_case(f"e.action = '{ESCALATION_ACTION}'")} AS escalations,
         {per_case("e.action = 'assign' AND COALESCE(e.from_state, '') <> 'assigned'")} AS assigned,
         {per_case("e.action = 'verify'")} AS verified,
         {per_case("e.action = 'reject'")} AS rejected
  FROM {t["event"]} e
  WHERE e.action IN {
        in_list(
            ("open", "assign", "verify", "reject", "reopen", EXTENSION_ACTION, ESCALATION_ACTION)
        )
    }
    AND e.created_at >= %(month_0)s AND e.created_at < %(end)s{in_scope}{department}
  GROUP BY 1, e.case_id
) x GROUP BY m
"""
    params["end"] = d.ts_param(period.end)
    figures = ("received", "rerouted", "reopened", "extensions", "escalations")
    figures += ("assigned", "verified", "rejected")
    counts: dict[str, dict[str, int]] = {m: dict.fromkeys(COMPARED, 0) for m in months}
    for m, *values in fetch_all(sql, params):
        counts[months[int(m)]].update(
            (figure, int(value or 0)) for figure, value in zip(figures, values, strict=True)
        )
    return counts


def _trend(counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    months = list(counts)[-TREND_MONTHS:]
    return [
        {"month": m, "received": counts[m]["received"], "verified": counts[m]["verified"]}
        for m in months
    ]


def _comparisons(counts: dict[str, dict[str, int]], period: Period) -> dict[str, Any]:
    months = list(counts)
    return {
        "months": {
            "this": months[-1],
            "previous": months[-2],
            "year_before": months[0],
        },
        "partial": not period.complete,
        "rows": [
            {
                "figure": figure,
                "this": counts[months[-1]][figure],
                "previous": counts[months[-2]][figure],
                "year_before": counts[months[0]][figure],
            }
            for figure in COMPARED
        ],
    }


CSV_COLUMNS = (
    "tracking_code",
    "category",
    "district",
    "department",
    "received_at",
    "state_at_period_end",
    "answer_due_at_period_end",
    "overdue_at_period_end",
    "working_days_overdue",
    "contractor",
    "work_order",
    "work_order_due_at",
    "accepted_by",
    "closed_at",
    "reroutes",
    "extensions",
    "returns_for_rework",
    "reopenings",
    "highest_escalation",
    "red_flags",
)


def case_rows(q: Query, flags: dict[str, list[dict[str, str]]], period: Period):
    """The period's cases for the CSV attachment, one row each, no personal data of
    complainants: codes, moments in ISO 8601 with their offset, and the contractor's and the
    accepting inspector's names (staff acting in office)."""
    d = q.dialect
    closed = in_list(str(s) for s in CLOSED_STATES)
    last_day = period.last_day
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
),
orders AS (
    SELECT case_id, {d.json_int("payload", "work_order")} AS work_order,
           {d.json_int("payload", "contractor")} AS contractor,
           {d.json_text("payload", "due_at")} AS due,
           ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY seq DESC) AS rn
    FROM ev WHERE action = 'notify_contractor'
),
due_day AS (
    SELECT ld.case_id, ld.due_ts, ld.due_day, ld.due_t,
           COALESCE({d.local_date("ld.due_ts")}, ld.due_day) AS day
    FROM last_due ld
)
SELECT pc.tracking_code, cat.code, dist.code, ls.department_id, pc.received_at, ls.stage,
       du.due_ts, du.due_day, du.due_t,
       CASE WHEN o.case_id IS NULL THEN 0 ELSE 1 END,
       CASE
         WHEN ls.stage IN {closed} AND {d.local_date("ls.start_at")} > du.day
           THEN cc.wd - cd.wd
         WHEN o.case_id IS NOT NULL THEN ce.wd - cd.wd
         ELSE 0
       END,
       wo.contractor, wo.work_order, wo.due,
       CASE WHEN ls.stage = 'verified' THEN ls.actor_id END,
       CASE WHEN ls.stage IN {closed} THEN ls.start_at END,
       counts.reroutes, counts.extensions, counts.reworks, counts.reopenings, counts.escalation
FROM pc
JOIN {table(Category)} cat ON cat.id = pc.category_id
JOIN {table(Case._meta.get_field("district").related_model)} dist ON dist.id = pc.district_id
LEFT JOIN last_state ls ON ls.case_id = pc.id
LEFT JOIN due_day du ON du.case_id = pc.id
LEFT JOIN overdue o ON o.case_id = pc.id
LEFT JOIN counts ON counts.case_id = pc.id
LEFT JOIN orders wo ON wo.case_id = pc.id AND wo.rn = 1
LEFT JOIN cal cd ON cd.day = du.day
LEFT JOIN cal cc ON cc.day = {d.local_date("ls.start_at")}
LEFT JOIN cal ce ON ce.day = {d.date_literal(last_day)}
WHERE NOT (ls.stage IN {closed} AND ls.start_at < %(start)s)
ORDER BY pc.tracking_code
"""
    )
    flags_of: dict[str, list[str]] = defaultdict(list)
    for flag, rows in flags.items():
        for row in rows:
            flags_of[row["code"]].append(flag)
    zone = local_zone()

    def moment(value) -> str:
        value = d.moment_value(value)
        return value.astimezone(zone).isoformat(timespec="minutes") if value else ""

    def due_moment(ts, day, time) -> str:
        if ts is not None:
            return moment(ts)
        if day is None:
            return ""
        local = dt.datetime.combine(
            d.date_value(day), dt.time.fromisoformat(str(time or "00:00")[:8]), tzinfo=zone
        )
        return local.isoformat(timespec="minutes")

    for row in fetch_iter(sql, q.params):
        (code, category, district, department, received, stage, due_ts, due_d, due_t) = row[:9]
        overdue, late_days, contractor, order, order_due, accepted_by, closed_at = row[9:16]
        reroutes, extensions, reworks, reopenings, escalation = row[16:]
        yield {
            "tracking_code": code,
            "category": category,
            "district": district,
            "department": department,
            "received_at": moment(received),
            "state_at_period_end": stage or "",
            "answer_due_at_period_end": due_moment(due_ts, due_d, due_t),
            "overdue_at_period_end": int(overdue),
            "working_days_overdue": max(int(late_days or 0), 0),
            "contractor": contractor,
            "work_order": order,
            "work_order_due_at": moment(order_due) if order_due else "",
            "accepted_by": accepted_by,
            "closed_at": moment(closed_at),
            "reroutes": int(reroutes or 0),
            "extensions": int(extensions or 0),
            "returns_for_rework": int(reworks or 0),
            "reopenings": int(reopenings or 0),
            "highest_escalation": int(escalation or 0),
            "red_flags": ";".join(flags_of.get(code, [])),
        }


def monthly_gather(scope: Scope, period: Period, progress=None) -> tuple[dict[str, Any], Query]:
    """Every figure of the monthly report for `scope` and `period`, as plain data."""
    step = progress or (lambda value: None)
    q = base_query(scope, period)
    step(20)
    levels = ("district", "department")
    if scope.region is None:
        levels = ("region", *levels)
    figures, grouped, flags = _sections(q, levels)
    by_region = grouped.get("region", [])
    by_district, by_department = grouped["district"], grouped["department"]
    step(40)
    counts = _monthly_counts(scope, period)
    step(45)
    data = {
        "period": period.code,
        "scope": scope.key(),
        "complete_month": period.complete,
        "figures": figures,
        "comparisons": _comparisons(counts, period),
        "by_region": by_region,
        "by_district": by_district,
        "by_department": by_department,
        "flags": flags,
        "trend": _trend(counts),
        "map": map_points(q),
        "contractors": scorecards.contractor_rows(scope, period),
        "officials": scorecards.official_rows(scope, period),
        "red_flag_hits": accountability.red_flag_rows(scope, period),
        "inquiries": accountability.inquiry_rows(scope, period),
        "ratings": extra_sections.ratings_rows(scope, period),
    }
    step(50)
    return data, q


def map_points(q: Query) -> list[dict[str, Any]]:
    """The period's overdue and failed repairs that have a place: open beyond the deadline at
    the period's end, returned for rework in the period, or verified and reopened in it."""
    t = _tables()
    sql = (
        q.sql
        + f"""
, marked AS (
    SELECT case_id, 'overdue' AS kind FROM overdue
    UNION ALL
    SELECT case_id, 'failed' FROM ev WHERE ev.created_at >= %(start)s
      AND (ev.action = 'return_for_rework' OR (ev.action = 'reopen' AND ev.from_state = 'verified'))
)
SELECT DISTINCT pc.tracking_code, m.kind, CAST(c.latitude AS TEXT), CAST(c.longitude AS TEXT),
       pc.district_id
FROM marked m JOIN pc ON pc.id = m.case_id JOIN {t["case"]} c ON c.id = m.case_id
WHERE c.latitude IS NOT NULL AND c.longitude IS NOT NULL
ORDER BY pc.tracking_code, m.kind
"""
    )
    return [
        {"code": code, "kind": kind, "lat": float(lat), "lon": float(lon), "district": district}
        for code, kind, lat, lon, district in fetch_all(sql, q.params)
    ]
