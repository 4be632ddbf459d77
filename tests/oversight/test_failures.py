"""Accepted work that fails later is linked to the act that accepted it, found when it happens
and by a full recomputation, which find the same set; each kind has a near miss that must not."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

from casework import clock, services
from casework.models import Category
from oversight.failures import failures_expected, failures_recompute
from oversight.models import AcceptedWorkFailure
from oversight.selectors import acts_signed_by, failures_signed_by
from tests.oversight.conftest import accepted, deliver_all

pytestmark = pytest.mark.django_db

LAT, LON = 50.2839, 57.167
# Degrees of latitude per metre, with earthdistance's Earth radius (contractors.geo).
PER_METRE = 1 / 111_319.5


def north(metres: float) -> str:
    return f"{LAT + metres * PER_METRE:.6f}"


def complaint(world, metres: float, *, at=None, category=None):
    return world.case(
        latitude=north(metres),
        longitude=f"{LON:.6f}",
        category=category,
        received_at=at,
    )


def found():
    return {(f.act_id, f.kind, f.case_id) for f in AcceptedWorkFailure.objects.all()}


def live_equals_recomputed():
    live = {(f.act_id, f.kind, f.event_id) for f in AcceptedWorkFailure.objects.all()}
    assert failures_expected() == live
    assert failures_recompute() == 0


def test_a_complaint_within_30_m_under_warranty_is_a_warranty_claim_on_the_act(world, posts):
    _case, act = accepted(world, latitude=north(0), longitude=f"{LON:.6f}")
    deliver_all()
    near = complaint(world, 29)
    deliver_all()
    assert found() == {(act.pk, "warranty_claim", near.pk)}
    failure = AcceptedWorkFailure.objects.get()
    assert failure.warranty_claim.case == near and 28 < failure.distance_m < 30
    live_equals_recomputed()


@pytest.mark.parametrize("miss", ["31 m away", "other category", "after the warranty"])
def test_near_misses_are_not_failures(world, posts, miss):
    _case, act = accepted(world, latitude=north(0), longitude=f"{LON:.6f}")
    deliver_all()
    if miss == "31 m away":
        complaint(world, 31)
    elif miss == "other category":
        lighting = Category.objects.create(
            code="street_lighting", name_kk="Жарық", name_ru="Свет", name_en="Lighting"
        )
        complaint(world, 5, category=lighting)
    else:
        warranty_end = act.work_order.accepted_at + relativedelta(months=24)
        complaint(world, 5, at=warranty_end + dt.timedelta(days=1))
    deliver_all()
    assert found() == set()
    live_equals_recomputed()


def test_other_repairs_under_warranty_within_30_m_fail_too(world, posts):
    # Both complained about before either repair was accepted: neither fails the other.
    a, b = complaint(world, 0), complaint(world, 20)
    _a, act_a = accepted(world, a)
    _b, act_b = accepted(world, b)
    deliver_all()
    assert found() == set()
    # 5 m from A, 15 m from B: the claim goes to the nearest repair, B's act failed as well.
    near = complaint(world, 5)
    deliver_all()
    assert found() == {
        (act_a.pk, "warranty_claim", near.pk),
        (act_b.pk, "nearby_complaint", near.pk),
    }
    live_equals_recomputed()


def test_reopening_a_verified_case_is_a_failure_of_its_act(world, posts):
    case, act = accepted(world)
    services.case_reopen(case, actor=world.officer, reason="Ямы вернулись", kind="warranty_defect")
    deliver_all()
    assert found() == {(act.pk, "reopened", case.pk)}
    live_equals_recomputed()


def test_reopening_a_rejected_case_is_not(world, posts):
    accepted(world)
    rejected = world.advance(complaint(world, 500), "rejected")
    services.case_reopen(rejected, actor=world.clerk, reason="Обжалование", kind="appeal")
    deliver_all()
    assert found() == set()
    live_equals_recomputed()


def test_recompute_finds_what_the_handler_would_have(world, posts):
    case, act = accepted(world, latitude=north(0), longitude=f"{LON:.6f}")
    near = complaint(world, 10)
    services.case_reopen(case, actor=world.officer, reason="Снова ямы", kind="citizen_dispute")
    # The handler's jobs never ran (the events are older than it): the full pass finds them.
    from casework.models import OutboxJob

    OutboxJob.objects.filter(kind="oversight_case_event").update(status="done")
    assert failures_recompute() == 2
    assert found() == {(act.pk, "warranty_claim", near.pk), (act.pk, "reopened", case.pk)}
    live_equals_recomputed()


def test_failures_are_counted_per_signatory(world, posts):
    case, act = accepted(world)
    services.case_reopen(case, actor=world.officer, reason="Снова ямы", kind="warranty_defect")
    deliver_all()
    assert list(acts_signed_by(posts.inspector)) == [act]
    assert [f.act for f in failures_signed_by(posts.inspector)] == [act]
    assert [f.act for f in failures_signed_by(posts.rep)] == [act]
    assert not failures_signed_by(posts.inspector, since=clock.now() + dt.timedelta(days=1))
