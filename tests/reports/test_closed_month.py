"""A closed month never changes: re-routing a case and re-configuring a category's deadlines after
the month's end leave that month's figures, tables and data hash exactly as they were."""

import pytest

from casework import clock
from casework.models import Case, Category
from casework.services import case_assign, case_reopen
from reports import monthly
from reports.documents import monthly_build
from reports.periods import Scope, period_for
from reports.sql import report_snapshot
from tests.reports.month_data import MONTH, at, seed_month

pytestmark = pytest.mark.django_db


def _gather(scope):
    period = period_for(MONTH, now=at(5, 1))
    with report_snapshot():
        data, _query = monthly.monthly_gather(scope, period)
    return data


def test_rerouting_and_new_deadlines_after_month_end_change_nothing(world):
    month = seed_month(world)
    scope = Scope(world.region_a)
    period = period_for(MONTH, now=at(5, 1))
    before = monthly_build(scope, period, language="en", moment=at(4, 1, 6))
    data_before = _gather(scope)
    assert data_before["figures"]["stages"][0]["late"] >= 1  # late triage in March

    # April: the stalled case goes to another department; triage and repair deadlines shrink.
    case = Case.objects.get(tracking_code=month.codes["stalled"])
    with clock.frozen_at(at(4, 3)):
        case_assign(
            case, actor=world.officer, department=world.dep_a1_build, reason="Не наш профиль."
        )
    category = Category.objects.get(pk=case.category_id)
    category.sla_triage_days = 0
    category.sla_work_order_days = 0
    category.sla_repair_days = 1
    category.sla_total_days = 2
    category.save()

    after = monthly_build(scope, period, language="en", moment=at(4, 5, 6))
    assert _gather(scope) == data_before
    assert after.data_sha256 == before.data_sha256


def test_a_department_report_keeps_the_cases_it_had_at_month_end(world):
    month = seed_month(world)
    scope = Scope(world.region_a, world.a1, world.dep_a1)
    before = _gather(scope)
    assert any(row["id"] == world.dep_a1.pk for row in before["by_department"])
    case = Case.objects.get(tracking_code=month.codes["stalled"])
    with clock.frozen_at(at(4, 3)):
        case_assign(
            case, actor=world.officer, department=world.dep_a1_build, reason="Не наш профиль."
        )
    assert _gather(scope) == before


def test_a_case_reopened_later_is_not_pulled_back_into_an_old_month(world):
    month = seed_month(world)
    scope = Scope(world.region_a)
    before = _gather(scope)
    closed_before = Case.objects.get(tracking_code=month.codes["closed_before"])
    with clock.frozen_at(at(4, 10)):
        case_reopen(closed_before, actor=world.clerk, reason="Жалоба обжалована.", kind="appeal")
    assert _gather(scope) == before


def test_events_from_before_deadlines_were_kept_count_with_the_settings_of_their_time(
    world, monkeypatch
):
    """Older events carry no stored deadline: their due moments come from the category's
    settings as they were then (its history), so a later change leaves the month alone too."""
    from casework import services
    from tests.reports.month_data import expected

    monkeypatch.setattr(services, "_deadlines_in_force", lambda case: {})
    seed_month(world)
    monkeypatch.undo()
    assert not any(
        "stage_due_at" in event.payload
        for event in Case.objects.filter(region=world.region_a).earliest("pk").events.all()
    )
    scope = Scope(world.region_a)
    before = _gather(scope)
    want = expected(world.region_a)
    for row in before["figures"]["stages"]:
        assert row["late"] == want["stage_late"][row["stage"]], row["stage"]
    category = world.pothole
    category.sla_triage_days = 0
    category.sla_work_order_days = 0
    category.save()
    assert _gather(scope) == before
