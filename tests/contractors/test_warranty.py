"""A new complaint of the same category within 30 m of a repair verified within its warranty is
linked to it as a warranty claim; distances are real (earthdistance on PostgreSQL)."""

import datetime as dt
import math

import pytest
from django.utils import timezone

from casework import clock
from casework.models import Category
from contractors.models import WarrantyClaim, WorkOrder
from contractors.scorecards import official_failed_signoffs
from contractors.selectors import current_work_order
from contractors.services import work_order_issue
from contractors.warranty import warranty_candidates

# Taraz, Tole Bi avenue: a repaired spot and points around it.
REPAIRED = (42.899000, 71.365500)
NEAR = (42.899150, 71.365600)  # ~19 m
FAR = (42.899300, 71.365800)  # ~42 m
BESIDE = (42.899020, 71.365530)  # ~3 m


def ellipsoid_distance_m(a, b) -> float:
    """Local WGS84 distance (meridian and prime-vertical radii at the mid latitude): computed
    here, independently of the code under test."""
    major, flattening = 6_378_137.0, 1 / 298.257223563
    e2 = flattening * (2 - flattening)
    phi = math.radians((a[0] + b[0]) / 2)
    w = math.sqrt(1 - e2 * math.sin(phi) ** 2)
    meridian = major * (1 - e2) / w**3
    normal = major / w
    dy = meridian * math.radians(b[0] - a[0])
    dx = normal * math.cos(phi) * math.radians(b[1] - a[1])
    return math.hypot(dx, dy)


def _at(world, point, **kw):
    return world.case(latitude=f"{point[0]:.6f}", longitude=f"{point[1]:.6f}", **kw)


def _repaired_at(world, point):
    return world.advance(_at(world, point), "verified")


def test_distances_of_the_fixture_points():
    assert 15 < ellipsoid_distance_m(REPAIRED, NEAR) < 25
    assert 35 < ellipsoid_distance_m(REPAIRED, FAR) < 50


def test_a_new_complaint_near_a_verified_repair_is_a_warranty_claim(world):
    original = _repaired_at(world, REPAIRED)
    order = current_work_order(original)
    new = _at(world, NEAR, title="Яма вернулась")
    claim = WarrantyClaim.objects.get(case=new)
    assert claim.original_case_id == original.pk
    assert claim.original_order_id == order.pk
    assert claim.contractor_id == world.contractor.pk
    assert claim.contract_id == world.contract.pk
    assert claim.verified_by_id == world.inspector.pk
    assert claim.work_order_issued_by_id == world.officer.pk
    assert claim.verification_event.action == "verify"
    assert claim.verification_event.case_id == original.pk
    assert claim.distance_m == pytest.approx(ellipsoid_distance_m(REPAIRED, NEAR), abs=0.3)
    assert claim.history.count() == 1  # recorded, with history
    assert list(new.events.values_list("action", flat=True)) == ["open"]


def test_no_claim_beyond_30_metres_for_another_category_or_without_a_point(world):
    _repaired_at(world, REPAIRED)
    _at(world, FAR)
    other = Category.objects.create(code="lighting", name_kk="Жарық", name_ru="Свет", name_en="L")
    _at(world, NEAR, category=other)
    world.case(latitude=None, longitude=None, address="Толе би, 10")
    assert not WarrantyClaim.objects.exists()


def test_no_claim_after_the_warranty_ended(world):
    world.contract.warranty_months = 1
    world.contract.save()
    with clock.frozen_at(timezone.now() - dt.timedelta(days=62)):
        _repaired_at(world, REPAIRED)
    _at(world, NEAR)
    assert not WarrantyClaim.objects.exists()
    # Under a 24-month warranty the same repair would still be covered.
    world.contract.warranty_months = 24
    world.contract.save()
    order = WorkOrder.objects.get()
    assert order.warranty_ends_at < timezone.now()  # fixed when the repair was accepted


def test_the_nearest_repair_is_claimed(world):
    _repaired_at(world, NEAR)
    beside = _repaired_at(world, BESIDE)
    new = _at(world, REPAIRED)
    assert WarrantyClaim.objects.get(case=new).original_case_id == beside.pk


def test_a_repair_not_yet_verified_is_not_under_warranty(world):
    world.advance(_at(world, REPAIRED), "repaired")
    _at(world, NEAR)
    assert not WarrantyClaim.objects.exists()


def test_the_warranty_repair_goes_to_the_original_contract_at_no_new_cost(world):
    _repaired_at(world, REPAIRED)
    new = world.advance(_at(world, NEAR), "assigned")
    # The contract has ended since; the warranty outlives it.
    world.contract.ends_on = timezone.localdate() - dt.timedelta(days=1)
    world.contract.save()
    order = work_order_issue(new, actor=world.officer, contract=world.contract)
    assert order.warranty_claim == WarrantyClaim.objects.get(case=new)
    assert order.contractor_id == world.contractor.pk


def test_the_verifier_of_the_failed_repair_is_counted_as_a_failed_signoff(world):
    start = timezone.now() - dt.timedelta(days=1)
    original = _repaired_at(world, REPAIRED)
    _at(world, NEAR)
    rows = official_failed_signoffs(start, timezone.now() + dt.timedelta(days=1))
    by_role = {(r.user_id, r.role): r for r in rows}
    inspector = by_role[(world.inspector.pk, "inspector")]
    assert (inspector.signoffs, inspector.failed, inspector.failed_case_ids) == (
        1,
        1,
        [original.pk],
    )
    assert by_role[(world.officer.pk, "officer")].failed_case_ids == [original.pk]


def test_postgres_measures_real_distances_in_sql(world, requires_postgres):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'earthdistance'")
        assert cursor.fetchone() == ("earthdistance",)
    original = _repaired_at(world, REPAIRED)
    order = current_work_order(original)
    for point, expected_in in ((NEAR, True), (FAR, False), (BESIDE, True)):
        found = warranty_candidates(
            world.pothole.pk, point[0], point[1], timezone.now() + dt.timedelta(seconds=1)
        )
        assert ([o.pk for o, _d in found] == [order.pk]) is expected_in
        if found:
            assert found[0][1] == pytest.approx(ellipsoid_distance_m(REPAIRED, point), abs=0.3)


def test_only_the_contract_holders_department_issues_the_warranty_order(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    from casework import services

    _repaired_at(world, REPAIRED)
    new = _at(world, NEAR)
    services.case_assign(new, actor=world.clerk, department=world.dep_a1_build)
    with pytest.raises((ValidationError, PermissionDenied)):
        work_order_issue(new, actor=world.officer_build, contract=world.contract)
    assert not WorkOrder.objects.filter(case=new).exists()
