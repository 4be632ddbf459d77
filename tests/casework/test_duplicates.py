import datetime as dt

import pytest

from casework import services
from casework.duplicates import case_possible_duplicates
from casework.models import CaseEvent, Category

pytestmark = pytest.mark.django_db


def test_a_case_within_50_m_of_the_same_category_is_suggested(world):
    original = world.case(latitude="50.283900", longitude="57.167000")
    near = world.case(latitude="50.284200", longitude="57.167000")  # ~33 m north
    [found] = case_possible_duplicates(near)
    assert found.case == original and 30 < found.distance_m < 36


def test_farther_than_50_m_other_category_or_region_are_not(world):
    original = world.case(latitude="50.283900", longitude="57.167000")
    world.case(latitude="50.284500", longitude="57.167000")  # ~67 m
    lighting = Category.objects.create(code="lighting", name_kk="Ж", name_ru="С", name_en="L")
    world.case(category=lighting, latitude="50.283900", longitude="57.167000")
    world.case(district=world.b1, latitude="50.283900", longitude="57.167000")
    assert case_possible_duplicates(original) == []


def test_old_and_long_closed_cases_are_not_suggested(world):
    old_received = world.case(
        latitude="50.283900",
        longitude="57.167000",
        received_at=dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC),
    )
    new = world.case(
        latitude="50.283900",
        longitude="57.167000",
        received_at=dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC),
    )
    assert [d.case for d in case_possible_duplicates(new)] == []
    assert old_received.pk


def test_a_recently_rejected_case_is_suggested_but_a_marked_duplicate_is_not(world):
    first = world.advance(world.case(latitude="50.283900", longitude="57.167000"), "rejected")
    second = world.case(latitude="50.283900", longitude="57.167000")
    third = world.case(latitude="50.283910", longitude="57.167000")
    services.case_reject(
        second, actor=world.clerk, reason_code="duplicate", reason="Уже есть", duplicate_of=third
    )
    found = [d.case for d in case_possible_duplicates(third)]
    assert found == [first]


def test_without_a_map_point_the_same_address_matches(world):
    a = world.case(latitude=None, longitude=None, address="ул. Маресьева, 14")
    b = world.case(latitude=None, longitude=None, address="УЛ. МАРЕСЬЕВА, 14")
    world.case(latitude=None, longitude=None, address="ул. Маресьева, 16")
    assert [d.case for d in case_possible_duplicates(b)] == [a]


def test_merging_keeps_both_histories(world):
    original = world.case()
    duplicate = world.case()
    services.case_reject(
        duplicate, actor=world.clerk, reason_code="duplicate", reason="Дубль", duplicate_of=original
    )
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == original and duplicate.state == "rejected"
    assert CaseEvent.objects.filter(case=original).count() == 1
    assert list(
        CaseEvent.objects.filter(case=duplicate).order_by("seq").values_list("action", flat=True)
    ) == ["open", "reject"]
