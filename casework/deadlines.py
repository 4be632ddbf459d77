"""Kazakh working days and every legal deadline of a case, computed here and nowhere else.

A working day is Monday to Friday that is not a public holiday (the `holidays` package, country
KZ, with its observed and substituted days), adjusted by `CalendarOverride` rows: the
government's transfers that add a day off or make a Saturday a working day.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from casework.models import CalendarOverride

# The Administrative Procedural Code: 15 working days to answer, extension to at most two months
# from receipt by a motivated decision, the citizen told within 3 working days, a misrouted
# appeal redirected within 3 working days.
LEGAL_ANSWER_DAYS = 15
EXTENSION_CAP = relativedelta(months=2)
EXTENSION_NOTICE_DAYS = 3
REDIRECT_DAYS = 3

_OVERRIDES_TTL_SECONDS = 60.0
_lock = threading.Lock()
_overrides: dict[dt.date, bool] | None = None
_overrides_loaded_at = 0.0
_holiday_years: dict[int, frozenset[dt.date]] = {}


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _public_holidays(year: int) -> frozenset[dt.date]:
    days = _holiday_years.get(year)
    if days is None:
        days = frozenset(holidays.country_holidays("KZ", years=year).keys())
        _holiday_years[year] = days
    return days


def _calendar_overrides() -> dict[dt.date, bool]:
    """date -> True if it is a working day by decree, False if it is an extra day off."""
    global _overrides, _overrides_loaded_at
    with _lock:
        fresh = time.monotonic() - _overrides_loaded_at < _OVERRIDES_TTL_SECONDS
        if _overrides is None or not fresh:
            _overrides = {
                row.date: row.kind == CalendarOverride.Kind.WORKING_DAY
                for row in CalendarOverride.objects.all()
            }
            _overrides_loaded_at = time.monotonic()
        return _overrides


def calendar_forget() -> None:
    """Drop the cached overrides (after a rollback, which sends no signal)."""
    global _overrides
    with _lock:
        _overrides = None


@receiver([post_save, post_delete], sender=CalendarOverride)
def _forget_overrides(**kwargs) -> None:
    calendar_forget()


def is_working_day(day: dt.date) -> bool:
    override = _calendar_overrides().get(day)
    if override is not None:
        return override
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_working_days(start: dt.datetime, n: int) -> dt.datetime:
    """The moment `n` working days after `start`, at the same local wall-clock time."""
    if n < 0:
        raise ValueError("n must not be negative")
    zone = local_zone()
    local = start.astimezone(zone)
    day = local.date()
    remaining = n
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return dt.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone)


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Working days from `start` to `end` (after start's day, up to and including end's day);
    negative when end is before start."""
    zone = local_zone()
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    count = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return sign * count


def answer_due(received_at: dt.datetime, days: int = LEGAL_ANSWER_DAYS) -> dt.datetime:
    return add_working_days(received_at, days)


def extension_cap(received_at: dt.datetime) -> dt.datetime:
    return received_at.astimezone(local_zone()) + EXTENSION_CAP
