"""The cases behind a post's figures in a period, for the staff drill-down.

The rows come from the per-case forms of the statements the figures are grouped from
(`ratings.measures.closing_rows`, `open_rows`, `vote_rows`) over the same days, and are handed to
the holders by the same `Holders.for_case`, so a figure and its list count the same cases: a post
that changed hands in the period lists each closing under the person who held it on that day.
Computed on demand (one post and one period at a time), while the figures are materialised: a
case changed since the last refresh can make the two differ until the next one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from casework import clock
from oversight.models import Position
from ratings.figures import year_days
from ratings.measures import (
    SCOPE_OF_KIND,
    Holders,
    closing_rows,
    counter_median,
    on_time,
    open_rows,
    period_end_moment,
    vote_rows,
)
from ratings.periods import Period, period_of

# Every measure a figure is made of, in the order the pages show them.
MEASURES: dict[str, str] = {
    "closed": _("Closed"),
    "on_time": _("Within 15 working days"),
    "days": _("Working days to close"),
    "verified": _("Verified"),
    "reopened": _("Reopened"),
    "failed": _("Failed after acceptance"),
    "warranty": _("Warranty claims"),
    "repeat": _("Repeat complaints"),
    "open_end": _("Open at the end"),
    "overdue_end": _("Overdue at the end"),
    "result": _("Result score"),
    "answer": _("Answer score"),
}
# The field of `RatingFigure` that counts a measure's cases ("days": the closings whose working
# days are known, which the figure keeps only as their median).
FIGURE_COUNT: dict[str, str | None] = {
    "closed": "closed",
    "on_time": "on_time",
    "days": None,
    "verified": "verified",
    "reopened": "reopened",
    "failed": "failed",
    "warranty": "warranty",
    "repeat": "repeat",
    "open_end": "open_end",
    "overdue_end": "overdue_end",
    "result": "result_votes",
    "answer": "answer_votes",
}
OPEN = "open"  # the "decision" of a case open at the end of the period


@dataclass(frozen=True)
class CaseRow:
    """One case behind one holder's figures: a closing, a case open at the period's end, or a
    counted vote on a closing."""

    case_id: int
    decision: str  # the closing's action ("verify", "reject"), or OPEN
    day: dt.date  # the closing's local day; the period's last day for an open case
    person_id: int  # who held the post on that day
    measures: frozenset[str]
    working_days: int | None = None  # from receipt to the closing
    result: int | None = None  # the vote's scores
    answer: int | None = None


def post_scope(position: Position) -> tuple[str, int] | None:
    """The department, district or region a rated post answers for."""
    scope = SCOPE_OF_KIND.get(position.kind)
    if scope is None:
        return None
    scope_id = getattr(position, f"{scope}_id")
    return None if scope_id is None else (scope, scope_id)


def post_case_rows(
    position: Position, period: Period, now: dt.datetime | None = None
) -> list[CaseRow]:
    """Every case behind the figures of `position` in `period`, each under its holder."""
    now = now or clock.now()
    scope = post_scope(position)
    days = year_days(period.first.year, now)
    if scope is None or days is None or period.first > days[1]:
        return []
    last = days[1]  # the figures' last day: today in the running year
    holders = Holders(last)

    def held(dep: int | None, dis: int | None, reg: int | None, day: dt.date) -> list[int]:
        return [
            h.person_id
            for h in holders.for_case(dep, dis, reg, day)
            if h.position_id == position.pk
        ]

    rows: list[CaseRow] = []
    upto = min(period.last, last)
    for (
        _event,
        case,
        action,
        dep,
        dis,
        reg,
        day,
        wd,
        verified,
        reopened,
        failed,
        warranty,
        repeat,
    ) in closing_rows(period.first, upto, scope):
        flags = {
            "closed": True,
            "on_time": on_time(wd),
            "days": wd is not None,
            "verified": bool(verified),
            "reopened": bool(reopened),
            "failed": bool(failed),
            "warranty": bool(warranty),
            "repeat": bool(repeat),
        }
        measures = frozenset(name for name, counted in flags.items() if counted)
        for person in held(dep, dis, reg, day):
            rows.append(CaseRow(case, action, day, person, measures, working_days=wd))

    # The figures count the cases open at a period's end once the month that ends it has begun.
    if period_of("month", period.last).first <= last:
        end = period_end_moment(period, now)
        for case, dep, dis, reg, overdue in open_rows(end, scope):
            measures = frozenset({"open_end", "overdue_end"} if overdue else {"open_end"})
            for person in held(dep, dis, reg, period.last):
                rows.append(CaseRow(case, OPEN, period.last, person, measures))

    for day, dep, dis, reg, result, answer, case, _event, action in vote_rows(period.first, upto):
        for person in held(dep, dis, reg, day):
            rows.append(
                CaseRow(
                    case,
                    action,
                    day,
                    person,
                    frozenset({"result", "answer"}),
                    result=result,
                    answer=answer,
                )
            )
    return rows


@dataclass
class Tally:
    """What one holder's (or the whole post's) rows add up to."""

    counts: Counter
    days: Counter  # working days to close -> closings
    result_total: int = 0
    answer_total: int = 0

    @property
    def median_days(self) -> float | None:
        return counter_median(self.days)


def tallies(rows: list[CaseRow]) -> tuple[dict[int, Tally], Tally]:
    """Per holder, and for the post."""
    per_person: dict[int, Tally] = defaultdict(lambda: Tally(Counter(), Counter()))
    post = Tally(Counter(), Counter())
    for row in rows:
        for tally in (per_person[row.person_id], post):
            tally.counts.update(row.measures)
            if "days" in row.measures:
                tally.days[row.working_days] += 1
            tally.result_total += row.result or 0
            tally.answer_total += row.answer or 0
    return dict(per_person), post
