"""Rating periods: calendar months, quarters and years in local time (Asia/Almaty)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from casework.deadlines import local_zone

KINDS = ("month", "quarter", "year")
KIND_LABELS = {"month": _("Month"), "quarter": _("Quarter"), "year": _("Year")}


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    first: dt.date  # first day
    last: dt.date  # last day, included

    @property
    def code(self) -> str:
        if self.kind == "month":
            return self.first.strftime("%Y-%m")
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), tzinfo=local_zone())

    @property
    def end(self) -> dt.datetime:
        """Local midnight after the last day (exclusive)."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), tzinfo=local_zone())

    def previous(self) -> Period:
        return period_of(self.kind, self.first - dt.timedelta(days=1))


def _month_last(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_of(kind: str, day: dt.date) -> Period:
    if kind == "month":
        return Period(kind, day.replace(day=1), _month_last(day.year, day.month))
    if kind == "quarter":
        month = (day.month - 1) // 3 * 3 + 1
        return Period(kind, dt.date(day.year, month, 1), _month_last(day.year, month + 2))
    if kind == "year":
        return Period(kind, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise ValueError(f"unknown period kind {kind!r}")


@functools.lru_cache(maxsize=4096)
def periods_of_day(day: dt.date) -> tuple[Period, Period, Period]:
    return tuple(period_of(kind, day) for kind in KINDS)  # type: ignore[return-value]


def periods_in_year(year: int) -> list[Period]:
    months = [period_of("month", dt.date(year, m, 1)) for m in range(1, 13)]
    quarters = [period_of("quarter", dt.date(year, m, 1)) for m in (1, 4, 7, 10)]
    return [*months, *quarters, period_of("year", dt.date(year, 1, 1))]


_CODE = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")


def period_parse(code: str) -> Period | None:
    """A period from its code: 2026, 2026-Q3 or 2026-07; None when malformed."""
    match = _CODE.match(code or "")
    if not match:
        return None
    year = int(match.group(1))
    if year < 2000 or year > 2100:
        return None
    if match.group(2):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            return None
        return period_of("month", dt.date(year, month, 1))
    if match.group(3):
        return period_of("quarter", dt.date(year, (int(match.group(3)) - 1) * 3 + 1, 1))
    return period_of("year", dt.date(year, 1, 1))
