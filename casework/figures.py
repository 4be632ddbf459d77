"""Monthly figures of cases for the managers' dashboard, and the case filters that show exactly
the cases each figure counts.

Every figure is defined once here as a filter on cases (`*_q`) for one month, and counted for
thirteen months in a few aggregate queries (grouped by local month where that is the same
thing); the staff case list applies the very same filters, so a figure and the list it links to
agree (tests/workflows/test_dashboard.py follows every link). Months are calendar months in
local time (`deadlines.local_zone`); the running month ends now.

What counts, for a month [start, end):
- received: cases received in it;
- closed: cases whose (latest) closing falls in it (`closed_at`; a case reopened since is open);
- overdue: cases open at its end (received before, not closed by then) whose stored answer
  deadline had passed by then (`due_at`, as extended);
- escalated (per level): cases with an escalation of that level fired in it;
- late stage (per stage): cases that left that stage in it after the stage deadline in force
  when it left (the `stage_due_at` stored on the event before, so an extension counts);
  finished: cases that left that stage in it at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncMonth

from casework import clock
from casework.deadlines import local_zone
from casework.models import Case, CaseEvent, Escalation, EscalationLevel
from casework.states import OPEN_STATES, CaseState

MONTHS_SHOWN = 13  # this month and the twelve before it
# Events that end a stage (and start the next); notes, escalations and extensions do not.
STAGE_ENDING_ACTIONS = (
    "assign",
    "notify_contractor",
    "report_repaired",
    "verify",
    "return_for_rework",
    "reject",
    "review_start",
    "refer",
    "answer",
)
STAGES = tuple(state for state in CaseState.values if state in OPEN_STATES)
LEVELS = tuple(EscalationLevel.values)


@dataclass(frozen=True)
class Month:
    first: dt.date  # the 1st
    start: dt.datetime  # local midnight of the 1st
    end: dt.datetime  # local midnight of the next 1st, or now for the running month

    @property
    def code(self) -> str:
        return self.first.strftime("%Y-%m")

    @property
    def running(self) -> bool:
        return self.end < _midnight(_next(self.first))


def _next(first: dt.date) -> dt.date:
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _previous(first: dt.date) -> dt.date:
    return (first - dt.timedelta(days=1)).replace(day=1)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=local_zone())


def month_of(first: dt.date, now: dt.datetime | None = None) -> Month:
    """The month starting at `first` (any day of it), ending now if it is the running one."""
    now = now or clock.now()
    first = first.replace(day=1)
    return Month(first, _midnight(first), min(_midnight(_next(first)), now))


def current_month(now: dt.datetime | None = None) -> Month:
    now = now or clock.now()
    return month_of(now.astimezone(local_zone()).date(), now)


def last_full_month(now: dt.datetime | None = None) -> Month:
    now = now or clock.now()
    return month_of(_previous(now.astimezone(local_zone()).date().replace(day=1)), now)


def recent_months(now: dt.datetime | None = None, count: int = MONTHS_SHOWN) -> list[Month]:
    """The running month and the `count - 1` before it, oldest first."""
    now = now or clock.now()
    first = now.astimezone(local_zone()).date().replace(day=1)
    firsts = [first]
    for _ in range(count - 1):
        firsts.append(_previous(firsts[-1]))
    return [month_of(day, now) for day in reversed(firsts)]


def month_parse(text: str, now: dt.datetime | None = None) -> Month | None:
    """A month from "YYYY-MM"; None when malformed or in the future."""
    try:
        first = dt.datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return None
    now = now or clock.now()
    if _midnight(first) > now or first.year < 2000:
        return None
    return month_of(first, now)


# --- the filters: one month, on Case rows ---------------------------------------------------


def received_q(month: Month) -> Q:
    return Q(received_at__gte=month.start, received_at__lt=month.end)


def closed_q(month: Month) -> Q:
    return Q(closed_at__gte=month.start, closed_at__lt=month.end)


def overdue_q(month: Month) -> Q:
    moment = month.end
    return Q(received_at__lt=moment, due_at__lt=moment) & (
        Q(closed_at__isnull=True, state__in=OPEN_STATES) | Q(closed_at__gte=moment)
    )


def _fired(month: Month, level: int | None) -> QuerySet[Escalation]:
    rows = Escalation.objects.filter(fired_at__gte=month.start, fired_at__lt=month.end)
    return rows.filter(level=level) if level else rows


def escalated_q(month: Month, level: int | None = None) -> Q:
    return Q(Exists(_fired(month, level).filter(case_id=OuterRef("pk"))))


def _stage_due_before() -> Subquery:
    """The stage deadline in force just before an event: stored on the case's event before it
    (events are numbered without gaps per case)."""
    return Subquery(
        CaseEvent.objects.filter(case_id=OuterRef("case_id"), seq=OuterRef("seq") - 1)
        .annotate(due=Cast(KeyTextTransform("stage_due_at", "payload"), DateTimeField()))
        .values("due")[:1]
    )


def _stage_endings(month: Month, stage: str | None = None) -> QuerySet[CaseEvent]:
    events = CaseEvent.objects.filter(
        created_at__gte=month.start,
        created_at__lt=month.end,
        action__in=STAGE_ENDING_ACTIONS,
        from_state__in=STAGES,
    )
    if stage:
        events = events.filter(from_state=stage)
    return events.annotate(stage_due=_stage_due_before())


def _late(events: QuerySet[CaseEvent]) -> QuerySet[CaseEvent]:
    return events.filter(stage_due__isnull=False, created_at__gt=F("stage_due"))


def late_stage_q(month: Month, stage: str | None = None) -> Q:
    return Q(Exists(_late(_stage_endings(month, stage)).filter(case_id=OuterRef("pk"))))


# --- the counts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    received: int
    closed: int
    overdue: int
    escalated: dict[int, int]  # level -> cases


def _per_month(cases: QuerySet[Case], field: str, months: list[Month]) -> dict[dt.date, int]:
    """Cases by the local month of `field`, within the months shown."""
    rows = (
        cases.filter(**{f"{field}__gte": months[0].start, f"{field}__lt": months[-1].end})
        .annotate(month=TruncMonth(field, tzinfo=local_zone()))
        .values("month")
        .annotate(n=Count("pk"))
    )
    return {_as_date(row["month"]): row["n"] for row in rows}


def _as_date(value) -> dt.date:
    return value.astimezone(local_zone()).date() if isinstance(value, dt.datetime) else value


def month_figures(cases: QuerySet[Case], months: list[Month]) -> list[MonthFigures]:
    """Received, closed, overdue and escalated cases (of `cases`, the reader's scope) for each
    month: four queries whatever the number of cases. Received and closed are grouped by local
    month (the same bounds as `received_q`, `closed_q`); overdue is counted at each month's end
    among the cases that can be overdue at any of them (open now, or closed after the first)."""
    cases = cases.order_by()
    received = _per_month(cases, "received_at", months)
    closed = _per_month(cases, "closed_at", months)
    candidates = cases.filter(due_at__lt=months[-1].end).filter(
        Q(closed_at__isnull=True, state__in=OPEN_STATES) | Q(closed_at__gte=months[0].end)
    )
    overdue = candidates.aggregate(
        **{f"overdue_{i}": Count("pk", filter=overdue_q(month)) for i, month in enumerate(months)}
    )
    fired = Escalation.objects.filter(
        case__in=cases.values("pk"),
        fired_at__gte=months[0].start,
        fired_at__lt=months[-1].end,
    )
    escalated = {
        (_as_date(row["month"]), row["level"]): row["n"]
        for row in fired.annotate(month=TruncMonth("fired_at", tzinfo=local_zone()))
        .values("month", "level")
        .annotate(n=Count("case_id", distinct=True))
    }
    return [
        MonthFigures(
            month=month,
            received=received.get(month.first, 0),
            closed=closed.get(month.first, 0),
            overdue=overdue[f"overdue_{i}"],
            escalated={level: escalated.get((month.first, level), 0) for level in LEVELS},
        )
        for i, month in enumerate(months)
    ]


@dataclass(frozen=True)
class StageTimeliness:
    stage: str
    finished: int  # cases that left the stage in the month
    late: int  # of those, cases that left it after its deadline

    @property
    def on_time_percent(self) -> int | None:
        if not self.finished:
            return None
        return round(100 * (self.finished - self.late) / self.finished)


def stage_timeliness(cases: QuerySet[Case], month: Month) -> list[StageTimeliness]:
    """For each stage, the cases that left it in the month and those that left it late: one
    query."""
    events = _stage_endings(month).filter(case__in=cases.order_by().values("pk"))
    late = Q(stage_due__isnull=False, created_at__gt=F("stage_due"))
    rows = {
        row["from_state"]: row
        for row in events.order_by()
        .values("from_state")
        .annotate(
            finished=Count("case_id", distinct=True),
            late=Count("case_id", distinct=True, filter=late),
        )
    }
    return [
        StageTimeliness(
            stage=stage,
            finished=rows.get(stage, {}).get("finished", 0),
            late=rows.get(stage, {}).get("late", 0),
        )
        for stage in STAGES
    ]
