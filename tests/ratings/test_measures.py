"""Every measure recomputed in the test, case by case from the events, and compared with the
set-based computation; the post that changed hands mid-month splits its cases."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from decimal import Decimal

import pytest

from casework.deadlines import LEGAL_ANSWER_DAYS, local_zone, working_days_between
from casework.models import Case, CaseEvent
from casework.states import CLOSED_STATES
from contractors.models import WarrantyClaim
from oversight.models import AcceptedWorkFailure, Occupancy, Position
from ratings.measures import REPEAT_LAT_DEG, REPEAT_LON_DEG, measures_for
from ratings.periods import period_of
from tests.ratings.conftest import RatingsWorld

pytestmark = pytest.mark.django_db

SCOPE = {
    Position.Kind.DEPARTMENT_HEAD: "department_id",
    Position.Kind.CITY_AKIM: "district_id",
    Position.Kind.DISTRICT_AKIM: "district_id",
    Position.Kind.REGION_AKIM: "region_id",
}


def holders_on(case: Case, day: dt.date) -> list[Occupancy]:
    found = []
    for occupancy in Occupancy.objects.select_related("position"):
        column = SCOPE.get(occupancy.position.kind)
        if column is None:
            continue
        post_scope = getattr(occupancy.position, column)
        if post_scope != getattr(case, column):
            continue
        ended = occupancy.ended_on
        if occupancy.started_on <= day and (ended is None or day <= ended):
            found.append(occupancy)
    return found


def cell(coordinate: Decimal, size: float) -> int:
    return math.floor(coordinate / Decimal(repr(size)))


def recomputed(month_first: dt.date) -> dict[tuple, dict]:
    """The month's measures per holder, one event at a time."""
    month = period_of("month", month_first)
    zone = local_zone()
    out: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    days: dict[tuple, list[int]] = defaultdict(list)
    for event in CaseEvent.objects.filter(action__in=["verify", "reject"]).select_related(
        "case__category"
    ):
        case = event.case
        day = event.created_at.astimezone(zone).date()
        if not (month.first <= day <= month.last) or not case.category.public:
            continue
        taken = working_days_between(case.received_at, event.created_at)
        verified = event.to_state == "verified"
        flags = {
            "closed": 1,
            "on_time": int(taken <= LEGAL_ANSWER_DAYS),
            "verified": int(verified),
            "reopened": int(
                verified
                and CaseEvent.objects.filter(case=case, action="reopen", seq__gt=event.seq).exists()
            ),
            "failed": int(
                verified
                and AcceptedWorkFailure.objects.filter(
                    act__case=case, detected_at__gt=event.created_at
                ).exists()
            ),
            "warranty": int(
                verified
                and WarrantyClaim.objects.filter(
                    original_case=case, case__received_at__gt=event.created_at
                ).exists()
            ),
            "repeat": int(
                any(
                    abs(cell(other.latitude, REPEAT_LAT_DEG) - cell(case.latitude, REPEAT_LAT_DEG))
                    <= 1
                    and abs(
                        cell(other.longitude, REPEAT_LON_DEG) - cell(case.longitude, REPEAT_LON_DEG)
                    )
                    <= 1
                    and other.received_at > event.created_at
                    for other in Case.objects.filter(category=case.category).exclude(pk=case.pk)
                )
            ),
        }
        for occupancy in holders_on(case, day):
            key = (occupancy.person_id, occupancy.position_id)
            for name, value in flags.items():
                out[key][name] += value
            days[key].append(taken)
    end = month.end
    for case in Case.objects.select_related("category"):
        if not case.category.public or case.received_at >= end:
            continue
        closed_by_then = case.state in CLOSED_STATES and (case.closed_at or end) < end
        if closed_by_then:
            continue
        for occupancy in holders_on(case, month.last):
            key = (occupancy.person_id, occupancy.position_id)
            out[key]["open_end"] += 1
            out[key]["overdue_end"] += int(case.due_at is not None and case.due_at < end)
    for key, taken in days.items():
        out[key]["median_days"] = statistics.median(taken)
    return out


def test_every_measure_matches_the_recomputation_from_events(rw: RatingsWorld):
    month = period_of("month", rw.month_first)
    computed = measures_for(month.first, month.last)
    expected = recomputed(rw.month_first)
    assert expected, "the test world closes cases in the month"
    for key, figures in expected.items():
        got = computed[(*key, "month", month.first)]
        for name, value in figures.items():
            if name == "median_days":
                assert got.median_days == value, (key, name)
            else:
                assert getattr(got, name) == value, (key, name)


def test_the_post_that_changed_hands_mid_month_splits_its_cases(rw: RatingsWorld):
    month = period_of("month", rw.month_first)
    computed = measures_for(month.first, month.last)
    ahmet = computed[(rw.ahmet.pk, rw.head_post.pk, "month", month.first)]
    bolat = computed[(rw.bolat.pk, rw.head_post.pk, "month", month.first)]
    dana = computed[(rw.dana.pk, rw.city_akim_post.pk, "month", month.first)]
    # Before the hand-over: on_time (on time) and late (40 days after receipt).
    assert (ahmet.closed, ahmet.on_time, ahmet.verified) == (2, 1, 2)
    # After: reopened (verified, then reopened), accepted (failed, warranty, repeat); the case
    # rejected at triage never reached the department, so it is the akim's alone.
    assert (bolat.closed, bolat.verified) == (2, 2)
    assert (bolat.reopened, bolat.failed, bolat.warranty, bolat.repeat) == (1, 1, 1, 1)
    # The city's akim held the post all month: every closing of A1 is theirs.
    assert dana.closed == ahmet.closed + bolat.closed + 1
    # Open at the month's end (the new holder's): overdue, and the ones opened after the closings.
    assert ahmet.open_end == 0 and bolat.open_end >= 1 and bolat.overdue_end >= 1
    # Votes follow the closing they score.
    assert (ahmet.result_votes, ahmet.result_total, ahmet.answer_total) == (1, 4, 5)
    assert bolat.result_votes == 0
    assert (dana.result_votes, dana.result_total, dana.answer_total) == (2, 6, 6)


def test_corruption_reports_and_other_regions_count_nowhere(rw: RatingsWorld):
    month = period_of("month", rw.month_first)
    computed = measures_for(month.first, month.last)
    erzhan = computed[(rw.erzhan.pk, rw.region_a_post.pk, "month", month.first)]
    farida = computed[(rw.farida.pk, rw.region_b_post.pk, "month", month.first)]
    assert erzhan.closed == 5  # A1's five public closings; the answered corruption report is not
    assert farida.closed == 1  # region B's own rejection only


def test_quarter_and_year_add_up_the_months(rw: RatingsWorld):
    year_first = rw.month_first.replace(month=1, day=1)
    computed = measures_for(year_first, year_first.replace(month=12, day=31))
    key = (rw.dana.pk, rw.city_akim_post.pk)
    months = [v for k, v in computed.items() if k[:3] == (*key, "month")]
    year = computed[(*key, "year", year_first)]
    assert year.closed == sum(m.closed for m in months)
    assert year.result_votes == sum(m.result_votes for m in months)
