"""The comparisons with the previous month and the same month a year before, and the 12-month
trend, count what the events say: the one-pass counts equal a naive recount, month by month in
local time, on crafted events around a year's end and the months' edges."""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from casework import clock
from casework.audit import event_append
from casework.models import Case, CaseEvent
from reports import monthly
from reports.periods import Scope, period_for
from reports.sql import report_snapshot

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
MONTH = dt.date(2026, 1, 1)  # the thirteen months: January 2025 to January 2026
DISTINCT = {"assigned", "verified", "rejected"}


def local(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=ALMATY)


def add(case, when, action, from_state="", payload=None):
    with transaction.atomic(), clock.frozen_at(when):
        locked = Case.objects.select_for_update().get(pk=case.pk)
        event_append(
            locked,
            actor=None,
            action=action,
            from_state=from_state,
            to_state=locked.state,
            payload=payload or {},
            role="system",
        )
        locked.skip_history_when_saving = True
        locked.save(update_fields=["event_seq"])


def opened(world, when, district=None):
    with clock.frozen_at(when):
        return world.case(district=district or world.a1)


def kind_of(event) -> str | None:
    if event.action == "assign":
        return "rerouted" if event.from_state == "assigned" else "assigned"
    return {
        "open": "received",
        "verify": "verified",
        "reject": "rejected",
        "reopen": "reopened",
        "extend_deadline": "extensions",
        "escalate": "escalations",
    }.get(event.action)


def naive_counts(cases, period, department=None):
    """Every event of `cases` read one by one: its local month, its figure; cases counted once
    per month for the distinct figures. Department: the one the case was with at the event (the
    latest routing up to it, else the first routing before the period's end)."""
    counted = defaultdict(lambda: defaultdict(int))
    seen = set()
    for case in cases:
        events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
        routings = [e for e in events if e.action == "assign"]
        for event in events:
            kind = kind_of(event)
            if kind is None or event.created_at >= period.end:
                continue
            if department is not None:
                earlier = [r for r in routings if r.seq <= event.seq]
                first = [r for r in routings if r.created_at < period.end][:1]
                routing = (earlier[-1:] or first or [None])[0]
                if routing is None or routing.payload.get("department") != department.pk:
                    continue
            month = event.created_at.astimezone(ALMATY).strftime("%Y-%m")
            if kind in DISTINCT:
                if (month, kind, case.pk) in seen:
                    continue
                seen.add((month, kind, case.pk))
            counted[month][kind] += 1
    return counted


def counts_for(scope, period):
    with report_snapshot():
        return monthly._monthly_counts(scope, period)


def assert_same(counts, naive):
    assert list(counts)[0] == "2025-01" and list(counts)[-1] == "2026-01"
    assert len(counts) == 13
    for month, figures in counts.items():
        for figure in monthly.COMPARED:
            assert figures[figure] == naive.get(month, {}).get(figure, 0), (month, figure)


@pytest.fixture
def crafted(world):
    """Events on both sides of every edge that matters: local midnight at the year's end (the
    UTC date is the day before), the first moment of the thirteen months and the period's end."""
    dep, other_dep = world.dep_a1, world.dep_a1_build
    a = opened(world, local(2024, 12, 31, 23, 59))  # received before the thirteen months
    add(a, local(2025, 1, 1, 0, 0), "assign", "received", {"department": dep.pk})
    add(a, local(2025, 1, 20), "assign", "assigned", {"department": other_dep.pk})
    add(a, local(2025, 1, 21), "assign", "assigned", {"department": dep.pk})
    add(a, local(2025, 1, 31, 23, 59), "verify", "repaired")
    add(a, local(2025, 2, 1, 0, 0), "reopen", "verified")
    add(a, local(2025, 2, 3), "verify", "repaired")
    b = opened(world, local(2025, 12, 31, 23, 59))  # December by local time, not by UTC
    add(b, local(2026, 1, 1, 0, 0), "assign", "received", {"department": dep.pk})
    add(b, local(2026, 1, 5), "extend_deadline", "assigned", {"due_at": "2026-02-20T10:00+05:00"})
    add(b, local(2026, 1, 6), "extend_deadline", "assigned", {"due_at": "2026-03-20T10:00+05:00"})
    add(b, local(2026, 1, 7), "escalate", "assigned", {"level": 1})
    add(b, local(2026, 1, 8), "verify", "repaired")
    add(b, local(2026, 1, 9), "reopen", "verified")
    add(b, local(2026, 1, 10), "verify", "repaired")  # verified twice in January: one case
    add(b, local(2026, 2, 1, 0, 0), "escalate", "verified", {"level": 2})  # after the end
    c = opened(world, local(2025, 12, 1, 0, 0))
    add(c, local(2025, 12, 2), "reject", "received")
    add(c, local(2025, 12, 3), "reopen", "rejected")
    add(c, local(2025, 12, 4), "reject", "received")  # rejected twice in December: one case
    add(c, local(2026, 1, 31, 23, 59), "assign", "received", {"department": other_dep.pk})
    d = opened(world, local(2025, 6, 15), district=world.a2)
    add(d, local(2025, 6, 16), "assign", "received", {"department": world.dep_a2.pk})
    add(d, local(2025, 6, 30, 23, 59), "verify", "repaired")
    elsewhere = opened(world, local(2026, 1, 15), district=world.b1)  # another region
    add(elsewhere, local(2026, 1, 16), "reject", "received")
    return {"region_a": [a, b, c, d], "all": [a, b, c, d, elsewhere]}


def test_the_months_counts_equal_a_naive_recount_of_the_events(world, crafted):
    period = period_for(MONTH, now=local(2026, 3, 1))
    counts = counts_for(Scope(world.region_a), period)
    assert_same(counts, naive_counts(crafted["region_a"], period))
    # The edges fell where local time puts them, and each distinct figure counts cases once.
    assert counts["2025-01"] == dict.fromkeys(monthly.COMPARED, 0) | {
        "assigned": 1,
        "rerouted": 2,
        "verified": 1,
    }
    assert counts["2025-12"]["received"] == 2 and counts["2025-12"]["rejected"] == 1
    assert counts["2026-01"]["verified"] == 1 and counts["2026-01"]["escalations"] == 1
    assert counts["2026-01"]["assigned"] == 2 and counts["2026-01"]["extensions"] == 2


def test_the_whole_country_and_a_department_count_the_same_way(world, crafted):
    period = period_for(MONTH, now=local(2026, 3, 1))
    assert_same(counts_for(Scope(None), period), naive_counts(crafted["all"], period))
    department = Scope(world.region_a, world.a1, world.dep_a1)
    assert_same(
        counts_for(department, period),
        naive_counts(crafted["region_a"], period, department=world.dep_a1),
    )


def test_the_running_month_counts_up_to_now(world, crafted):
    period = period_for(MONTH, now=local(2026, 1, 8, 12))
    counts = counts_for(Scope(world.region_a), period)
    assert_same(counts, naive_counts(crafted["region_a"], period))
    assert counts["2026-01"]["verified"] == 1 and counts["2026-01"]["reopened"] == 0
