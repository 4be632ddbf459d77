"""The measures per post and period, attributed to whoever held the post on the day of each
decision.

Which cases belong to a post: a head of department answers for the cases of their department,
a city or district akim for the cases in their district, a region's akim for the cases in their
region. A case's closing (verify or reject; the latest one counts when it was reopened and closed
again, each closing being a decision of its own) belongs to the holder of the post on the local
day of that closing; the cases open at the end of a period to the holder on its last day. On a
hand-over day the new holder answers (as `oversight.selectors.post_held`). Only public
categories count (never a corruption report or a non-public category, not even in a count).

One SQL statement groups every closing of the year by department, district, region, local day
and working days taken (the calendar of `casework.deadlines` passed in as a VALUES list, so
PostgreSQL and SQLite compute the same), one more counts open and overdue cases at each month's
end; Python then hands each group to the holders and sums months, quarters and the year.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction

from casework.deadlines import LEGAL_ANSWER_DAYS, is_working_day, local_zone
from oversight.models import Occupancy, Position
from ratings.periods import Period, period_of, periods_of_day
from ratings.vote_selectors import counted_votes

K = Position.Kind
RATED_KINDS = (K.REGION_AKIM, K.CITY_AKIM, K.DISTRICT_AKIM, K.DEPARTMENT_HEAD)
# Which column of a case a post's kind answers for.
SCOPE_OF_KIND = {
    K.REGION_AKIM: "region",
    K.CITY_AKIM: "district",
    K.DISTRICT_AKIM: "district",
    K.DEPARTMENT_HEAD: "department",
}
_SCOPE_COLUMNS = {"region": "region_id", "district": "district_id", "department": "department_id"}
# A later complaint of the same category in the same grid cell or one of its eight neighbours
# (cells of about 50 × 50 m at Kazakhstan's latitudes) is a repeat complaint at the same place:
# one grouped pass over the cases instead of a range probe per closing.
REPEAT_LAT_DEG = 0.00045
REPEAT_LON_DEG = 0.0007
CALENDAR_BACK_DAYS = 500  # closings of cases received this long before the year still count
CALENDAR_CHUNK = 400  # VALUES rows per statement part (SQLite's compound select limit is 500)


@dataclass
class Measures:
    """The counts behind one holder's figures for one period."""

    closed: int = 0  # closings (verify or reject) decided in the period
    on_time: int = 0  # of those, within 15 working days of receipt
    verified: int = 0  # closings that verified a repair
    reopened: int = 0  # of the verified, reopened later
    failed: int = 0  # of the verified, accepted work found failed later (oversight)
    warranty: int = 0  # of the verified, a warranty claim later (contractors)
    repeat: int = 0  # of the closings, a later complaint of the same category within ~50 m
    open_end: int = 0  # cases open at the end of the period
    overdue_end: int = 0  # of those, past their answer deadline
    days: Counter = field(default_factory=Counter)  # working days to close -> closings
    result_votes: int = 0
    result_total: int = 0
    answer_votes: int = 0
    answer_total: int = 0

    def add(self, other: Measures) -> None:
        self.closed += other.closed
        self.on_time += other.on_time
        self.verified += other.verified
        self.reopened += other.reopened
        self.failed += other.failed
        self.warranty += other.warranty
        self.repeat += other.repeat
        self.open_end += other.open_end
        self.overdue_end += other.overdue_end
        if other.days:
            self.days.update(other.days)
        self.result_votes += other.result_votes
        self.result_total += other.result_total
        self.answer_votes += other.answer_votes
        self.answer_total += other.answer_total

    @property
    def median_days(self) -> float | None:
        return counter_median(self.days)


def counter_median(counts: Counter) -> float | None:
    n = sum(counts.values())
    if not n:
        return None
    ordered = sorted(counts.items())

    def nth(k: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if seen > k:
                return value
        raise AssertionError

    return (nth((n - 1) // 2) + nth(n // 2)) / 2


@dataclass(frozen=True)
class Holding:
    """An occupancy's effective days (a hand-over day belongs to the newcomer)."""

    person_id: int
    position_id: int
    kind: str
    scope_id: int
    first: dt.date
    last: dt.date | None


def holdings(until: dt.date) -> dict[tuple[str, int], list[Holding]]:
    """(scope column, scope id) -> the holdings of the rated posts answering for it."""
    rows = (
        Occupancy.objects.filter(position__kind__in=RATED_KINDS, started_on__lte=until)
        .order_by("position_id", "started_on", "id")
        .values_list(
            "person_id",
            "position_id",
            "position__kind",
            "position__region_id",
            "position__district_id",
            "position__department_id",
            "started_on",
            "ended_on",
        )
    )
    by_position: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_position[row[1]].append(row)
    out: dict[tuple[str, int], list[Holding]] = defaultdict(list)
    for occupancies in by_position.values():
        for i, (person, position, kind, region, district, department, first, last) in enumerate(
            occupancies
        ):
            later = [o[6] for o in occupancies[i + 1 :] if o[6] > first]
            if later:
                handover = min(later) - dt.timedelta(days=1)
                last = handover if last is None else min(last, handover)
            scope = SCOPE_OF_KIND[kind]
            scope_id = {"region": region, "district": district, "department": department}[scope]
            if scope_id is None:
                continue
            out[(scope, scope_id)].append(Holding(person, position, kind, scope_id, first, last))
    return out


class Holders:
    """Who answered for a department, district or region on a day."""

    def __init__(self, until: dt.date):
        self._by_scope = holdings(until)
        self._cache: dict[tuple[str, int, dt.date], list[Holding]] = {}

    def on(self, scope: str, scope_id: int | None, day: dt.date) -> list[Holding]:
        if scope_id is None:
            return []
        key = (scope, scope_id, day)
        found = self._cache.get(key)
        if found is None:
            found = [
                h
                for h in self._by_scope.get((scope, scope_id), ())
                if h.first <= day and (h.last is None or day <= h.last)
            ]
            self._cache[key] = found
        return found

    def for_case(
        self, department: int | None, district: int | None, region: int | None, day: dt.date
    ) -> list[Holding]:
        return [
            *self.on("department", department, day),
            *self.on("district", district, day),
            *self.on("region", region, day),
        ]


# --- SQL ------------------------------------------------------------------------------------


def _local_date(column: str) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE %s)::date", [str(local_zone())]
    return f"django_datetime_cast_date({column}, %s, 'UTC')", [str(local_zone())]


def _calendar(first: dt.date, last: dt.date) -> tuple[str, list]:
    """A VALUES list of (day, working days since `first`)."""
    rows, params, n, day = [], [], 0, first
    while day <= last:
        if is_working_day(day):
            n += 1
        rows.append((day, n))
        day += dt.timedelta(days=1)
    parts = []
    cast = "::date" if connection.vendor == "postgresql" else ""
    for start in range(0, len(rows), CALENDAR_CHUNK):
        chunk = rows[start : start + CALENDAR_CHUNK]
        parts.append("VALUES " + ", ".join(f"(%s{cast}, %s)" for _ in chunk))
        for day, n in chunk:
            params += [day if cast else day.isoformat(), n]
    return " UNION ALL ".join(parts), params


def _cell(column: str, size: float) -> str:
    """The grid cell of a coordinate (positive in Kazakhstan, so truncation is the floor)."""
    if connection.vendor == "postgresql":
        return f"FLOOR({column} / {size!r})::bigint"
    return f"CAST({column} / {size!r} AS INTEGER)"


def _public(alias: str) -> str:
    return f"{alias}.public AND NOT {alias}.corruption_report"


def _closings(first: dt.date, last: dt.date, scope: tuple[str, int] | None) -> tuple[str, list]:
    """The WITH clause both readers of closings share: `cal` (the calendar) and `closing`, one
    row per closing decided from `first` to `last` (local days) with what each measure counts,
    optionally of one department, district or region only (`scope`: column, id)."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=local_zone())
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=local_zone())
    calendar_sql, calendar_params = _calendar(first - dt.timedelta(days=CALENDAR_BACK_DAYS), last)
    cell_y, cell_x = _cell("c.latitude", REPEAT_LAT_DEG), _cell("c.longitude", REPEAT_LON_DEG)
    closed_day, p1 = _local_date("e.created_at")
    received_day, p2 = _local_date("c.received_at")
    in_scope, p3 = "", []
    if scope is not None:
        in_scope, p3 = f"AND c.{_SCOPE_COLUMNS[scope[0]]} = %s", [scope[1]]
    sql = f"""
    WITH cal(day, n) AS ({calendar_sql}),
    cells AS (
        SELECT c.category_id, {cell_y} AS gy, {cell_x} AS gx, MAX(c.received_at) AS last
        FROM casework_case c
        WHERE c.latitude IS NOT NULL AND c.longitude IS NOT NULL
        GROUP BY c.category_id, {cell_y}, {cell_x}
    ),
    nearby AS (
        SELECT cells.category_id, cells.gy + dy.d AS gy, cells.gx + dx.d AS gx,
               MAX(cells.last) AS last
        FROM cells
        CROSS JOIN (SELECT -1 AS d UNION ALL SELECT 0 UNION ALL SELECT 1) dy
        CROSS JOIN (SELECT -1 AS d UNION ALL SELECT 0 UNION ALL SELECT 1) dx
        GROUP BY cells.category_id, cells.gy + dy.d, cells.gx + dx.d
    ),
    closing AS (
        SELECT e.id AS event_id, e.case_id, e.action,
               c.department_id, c.district_id, c.region_id,
               {closed_day} AS day, {received_day} AS rday,
               CASE WHEN e.to_state = 'verified' THEN 1 ELSE 0 END AS verified,
               CASE WHEN e.to_state = 'verified' AND EXISTS (
                   SELECT 1 FROM casework_caseevent r
                   WHERE r.case_id = e.case_id AND r.action = 'reopen' AND r.seq > e.seq
               ) THEN 1 ELSE 0 END AS reopened,
               CASE WHEN e.to_state = 'verified' AND EXISTS (
                   SELECT 1 FROM oversight_acceptedworkfailure f
                   JOIN oversight_acceptanceact a ON a.id = f.act_id
                   WHERE a.case_id = e.case_id AND f.detected_at > e.created_at
               ) THEN 1 ELSE 0 END AS failed,
               CASE WHEN e.to_state = 'verified' AND EXISTS (
                   SELECT 1 FROM contractors_warrantyclaim w
                   JOIN casework_case wc ON wc.id = w.case_id
                   WHERE w.original_case_id = e.case_id AND wc.received_at > e.created_at
               ) THEN 1 ELSE 0 END AS warranty,
               CASE WHEN nb.last > e.created_at THEN 1 ELSE 0 END AS repeat
        FROM casework_caseevent e
        JOIN casework_case c ON c.id = e.case_id
        JOIN casework_category k ON k.id = c.category_id
        LEFT JOIN nearby nb ON nb.category_id = c.category_id
             AND nb.gy = {cell_y} AND nb.gx = {cell_x}
        WHERE e.action IN ('verify', 'reject') AND e.created_at >= %s AND e.created_at < %s
          AND {_public("k")} {in_scope}
    )"""  # noqa: S608 (fixed fragments; every value is a parameter)
    return sql, [*calendar_params, *p1, *p2, start, end, *p3]


# The working days a closing took: its local day's count less the day of receipt's.
_WORKING_DAYS_SQL = """
    FROM closing s
    JOIN cal cd ON cd.day = s.day
    LEFT JOIN cal cr ON cr.day = s.rday"""


def _fetch_closings(sql: str, params: list) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # JIT compiling this statement's many expressions costs more than it saves.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def closing_groups(first: dt.date, last: dt.date) -> list[tuple]:
    """Closings decided from `first` to `last` (local days), grouped: (department, district,
    region, day, working days to close, closings, on time, verified, reopened, failed,
    warranty, repeat)."""
    with_sql, params = _closings(first, last, None)
    sql = f"""{with_sql}
    SELECT s.department_id, s.district_id, s.region_id, s.day, cd.n - cr.n AS wd,
           COUNT(*), SUM(s.verified), SUM(s.reopened), SUM(s.failed), SUM(s.warranty),
           SUM(s.repeat)
    {_WORKING_DAYS_SQL}
    GROUP BY s.department_id, s.district_id, s.region_id, s.day, cd.n - cr.n
    """
    return [
        (dep, dis, reg, _as_date(day), wd, *counts)
        for dep, dis, reg, day, wd, *counts in _fetch_closings(sql, params)
    ]


def closing_rows(first: dt.date, last: dt.date, scope: tuple[str, int]) -> list[tuple]:
    """The closings `closing_groups` counts, one row each, of one department, district or region
    (`scope`: "department", "district" or "region", and its id): (event, case, action,
    department, district, region, day, working days to close, verified, reopened, failed,
    warranty, repeat)."""
    with_sql, params = _closings(first, last, scope)
    sql = f"""{with_sql}
    SELECT s.event_id, s.case_id, s.action, s.department_id, s.district_id, s.region_id, s.day,
           cd.n - cr.n AS wd, s.verified, s.reopened, s.failed, s.warranty, s.repeat
    {_WORKING_DAYS_SQL}
    ORDER BY s.day, s.event_id
    """
    return [
        (event, case, action, dep, dis, reg, _as_date(day), *rest)
        for event, case, action, dep, dis, reg, day, *rest in _fetch_closings(sql, params)
    ]


def on_time(working_days: int | None) -> bool:
    """Answered within the statutory working days (unknown when received outside the calendar:
    not on time)."""
    return working_days is not None and working_days <= LEGAL_ANSWER_DAYS


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _open_at(end: dt.datetime) -> tuple[str, list]:
    """Whether case `c` was open at the moment `end` (received before, not closed by then)."""
    return (
        "c.received_at < %s AND ((c.closed_at IS NULL AND c.state NOT IN "
        "('verified', 'rejected', 'referred', 'answered')) OR c.closed_at >= %s)",
        [end, end],
    )


def period_end_moment(period: Period, now: dt.datetime | None) -> dt.datetime:
    """The moment a period's open cases are counted at: its end, or now for the running one."""
    return period.end if now is None else min(period.end, now)


def open_at_month_ends(
    months: list[Period], now: dt.datetime | None = None
) -> dict[dt.date, list[tuple]]:
    """For each month's last day: (department, district, region, open, overdue) of the cases
    open at the end of it (received before, not closed by then; overdue when the stored
    deadline, as extended, had passed by then), in one statement."""
    columns, params = [], []
    for month in months:
        end = period_end_moment(month, now)
        open_case, open_params = _open_at(end)
        columns.append(f"SUM(CASE WHEN {open_case} THEN 1 ELSE 0 END)")
        columns.append(f"SUM(CASE WHEN {open_case} AND c.due_at < %s THEN 1 ELSE 0 END)")
        params += [*open_params, *open_params, end]
    sql = f"""
    SELECT c.department_id, c.district_id, c.region_id, {", ".join(columns)}
    FROM casework_case c JOIN casework_category k ON k.id = c.category_id
    WHERE {_public("k")} AND c.received_at < %s
      AND (c.closed_at IS NULL OR c.closed_at >= %s)
    GROUP BY c.department_id, c.district_id, c.region_id
    """  # noqa: S608 (fixed fragments; every value is a parameter)
    params += [months[-1].end, months[0].end]
    out: dict[dt.date, list[tuple]] = {m.last: [] for m in months}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for dep, dis, reg, *counts in cursor.fetchall():
            for i, month in enumerate(months):
                opened, overdue = counts[2 * i] or 0, counts[2 * i + 1] or 0
                if opened:
                    out[month.last].append((dep, dis, reg, opened, overdue))
    return out


def open_rows(end: dt.datetime, scope: tuple[str, int]) -> list[tuple]:
    """The cases `open_at_month_ends` counts as open at the moment `end`, one row each, of one
    department, district or region: (case, department, district, region, overdue)."""
    open_case, params = _open_at(end)
    sql = f"""
    SELECT c.id, c.department_id, c.district_id, c.region_id,
           CASE WHEN c.due_at < %s THEN 1 ELSE 0 END
    FROM casework_case c JOIN casework_category k ON k.id = c.category_id
    WHERE {_public("k")} AND {open_case} AND c.{_SCOPE_COLUMNS[scope[0]]} = %s
    ORDER BY c.received_at, c.id
    """  # noqa: S608 (fixed fragments; every value is a parameter)
    with connection.cursor() as cursor:
        cursor.execute(sql, [end, *params, scope[1]])
        return cursor.fetchall()


def end_kinds(month_last: dt.date) -> set[str]:
    """The period kinds whose end a month's last day is: the state at the end of a month is the
    state at the end of its quarter and year when the month ends them."""
    kinds = {"month"}
    if month_last == period_of("quarter", month_last).last:
        kinds.add("quarter")
    if month_last.month == 12:
        kinds.add("year")
    return kinds


# --- per holder and period --------------------------------------------------------------------

Key = tuple[int, int, str, dt.date]  # person, position, period kind, period's first day


def measures_for(
    first: dt.date, last: dt.date, now: dt.datetime | None = None
) -> dict[Key, Measures]:
    """Every rated post holder's measures for every month, quarter and year touching the local
    days `first`..`last` (whole periods are expected: a year, or months of it)."""
    holders = Holders(last)
    out: dict[Key, Measures] = defaultdict(Measures)

    def credit(people: Iterable[Holding], day: dt.date, measures: Measures, kinds=None) -> None:
        for holding in people:
            for period in periods_of_day(day):
                if kinds is None or period.kind in kinds:
                    out[(holding.person_id, holding.position_id, period.kind, period.first)].add(
                        measures
                    )

    # Sum the groups per department, district, region and day first: the holders are the same
    # for all of a day's groups.
    per_day: dict[tuple, Measures] = defaultdict(Measures)
    for (
        dep,
        dis,
        reg,
        day,
        wd,
        closed,
        verified,
        reopened,
        failed,
        warranty,
        repeat,
    ) in closing_groups(first, last):
        m = per_day[(dep, dis, reg, day)]
        m.closed += closed
        m.on_time += closed if on_time(wd) else 0
        m.verified += verified
        m.reopened += reopened
        m.failed += failed
        m.warranty += warranty
        m.repeat += repeat
        if wd is not None:
            m.days[wd] += closed
    for (dep, dis, reg, day), measures in per_day.items():
        credit(holders.for_case(dep, dis, reg, day), day, measures)

    months = []
    day = first.replace(day=1)
    while day <= last:
        months.append(period_of("month", day))
        day = months[-1].last + dt.timedelta(days=1)
    for month_last, groups in open_at_month_ends(months, now).items():
        kinds = end_kinds(month_last)
        for dep, dis, reg, opened, overdue in groups:
            credit(
                holders.for_case(dep, dis, reg, month_last),
                month_last,
                Measures(open_end=opened, overdue_end=overdue),
                kinds,
            )

    votes: dict[tuple, Measures] = defaultdict(Measures)
    for day, dep, dis, reg, result, answer, *_closing in vote_rows(first, last):
        m = votes[(dep, dis, reg, day)]
        m.result_votes += 1
        m.result_total += result
        m.answer_votes += 1
        m.answer_total += answer
    for (dep, dis, reg, day), measures in votes.items():
        credit(holders.for_case(dep, dis, reg, day), day, measures)
    return dict(out)


VOTE_CHUNK = 2000


def vote_rows(first: dt.date, last: dt.date) -> list[tuple]:
    """(closing day, department, district, region, result, answer, case, closing event, its
    action) of every counted vote on a closing in the days, public categories only."""
    from casework.models import CaseEvent

    start = dt.datetime.combine(first, dt.time(), tzinfo=local_zone())
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=local_zone())
    votes = list(counted_votes(start, end))
    out = []
    zone = local_zone()
    for i in range(0, len(votes), VOTE_CHUNK):
        chunk = votes[i : i + VOTE_CHUNK]
        events = {
            row[0]: row
            for row in CaseEvent.objects.filter(
                id__in=[v["closing_event_id"] for v in chunk],
                case__category__public=True,
                case__category__corruption_report=False,
            ).values_list(
                "id",
                "created_at",
                "case__department_id",
                "case__district_id",
                "case__region_id",
                "action",
            )
        }
        for vote in chunk:
            event = events.get(vote["closing_event_id"])
            if event is None:
                continue
            day = event[1].astimezone(zone).date()
            if first <= day <= last:
                out.append(
                    (
                        day,
                        event[2],
                        event[3],
                        event[4],
                        vote["result_score"],
                        vote["answer_score"],
                        vote["case_id"],
                        event[0],
                        event[5],
                    )
                )
    return out
