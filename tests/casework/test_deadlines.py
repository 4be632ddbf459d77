import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from casework.deadlines import add_working_days, is_working_day, working_days_between
from casework.models import CalendarOverride

ALMATY = ZoneInfo("Asia/Almaty")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


@pytest.mark.django_db
def test_nauryz_is_skipped():
    # Friday 20 March 2026 + 1 working day: 21-25 March are Nauryz and its observed days.
    assert add_working_days(at(2026, 3, 20, 10, 0), 1) == at(2026, 3, 26, 10, 0)


@pytest.mark.django_db
def test_weekend_is_skipped_and_wall_clock_time_kept():
    friday = at(2026, 11, 20, 17, 45)
    assert add_working_days(friday, 1) == at(2026, 11, 23, 17, 45)
    assert add_working_days(friday, 0) == friday


@pytest.mark.django_db
def test_fifteen_working_days_across_december_holiday():
    # 16 December (Independence Day) is a Wednesday in 2026.
    start = at(2026, 12, 7, 9, 0)
    due = add_working_days(start, 15)
    days = [
        start.date() + dt.timedelta(days=i) for i in range(1, (due.date() - start.date()).days + 1)
    ]
    assert sum(is_working_day(d) for d in days) == 15
    assert dt.date(2026, 12, 16) in days and not is_working_day(dt.date(2026, 12, 16))
    assert due == at(2026, 12, 29, 9, 0)


@pytest.mark.django_db
def test_utc_input_counts_in_almaty_days():
    # 20:30 UTC on Friday is already Saturday 01:30 in Almaty (UTC+5).
    start = dt.datetime(2026, 11, 20, 20, 30, tzinfo=dt.UTC)
    assert add_working_days(start, 1) == at(2026, 11, 23, 1, 30)


@pytest.mark.django_db
def test_calendar_override_adds_a_day_off_and_a_working_saturday():
    monday = at(2026, 11, 23, 10, 0)
    assert add_working_days(monday, 1) == at(2026, 11, 24, 10, 0)
    CalendarOverride.objects.create(date=dt.date(2026, 11, 24), kind="day_off", note="перенос")
    assert add_working_days(monday, 1) == at(2026, 11, 25, 10, 0)
    friday = at(2026, 11, 27, 10, 0)
    CalendarOverride.objects.create(date=dt.date(2026, 11, 28), kind="working_day", note="перенос")
    assert add_working_days(friday, 1) == at(2026, 11, 28, 10, 0)


@pytest.mark.django_db
def test_working_days_between_counts_both_ways():
    assert working_days_between(at(2026, 3, 20, 10), at(2026, 3, 26, 9)) == 1
    assert working_days_between(at(2026, 3, 26, 9), at(2026, 3, 20, 10)) == -1
    assert working_days_between(at(2026, 11, 20, 10), at(2026, 11, 20, 18)) == 0


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(at(2026, 1, 5, 9), -1)
