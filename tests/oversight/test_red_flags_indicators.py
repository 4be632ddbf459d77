"""Each red-flag indicator fires on crafted data, and a near miss does not. Hits are found by the
outbox jobs as the events happen; after each scenario the stored hits are exactly what a full
pass finds (`settled`)."""

import datetime as dt
from decimal import Decimal

import pytest

from casework import clock, deadlines, services
from contractors.models import Contract
from contractors.selectors import current_work_order
from contractors.services import contract_modify, work_order_issue, work_order_report_repair
from oversight.models import Person
from oversight.red_flags.registry import INDICATORS
from oversight.red_flags.run import red_flags_full_pass
from oversight.services import act_sign
from tests.contractors.photos import photo
from tests.factories import image_upload
from tests.oversight.conftest import accepted, deliver_all
from tests.oversight.red_flag_helpers import act_row, hits, order_for, settled, superuser

pytestmark = pytest.mark.django_db

LAT, LON = 50.2839, 57.167
PER_METRE = 1 / 111_319.5


def north(metres: float) -> str:
    return f"{LAT + metres * PER_METRE:.6f}"


def at(metres: float) -> dict:
    return {"latitude": north(metres), "longitude": f"{LON:.6f}"}


def test_every_indicator_is_documented():
    assert len(INDICATORS) >= 10
    for code, indicator in INDICATORS.items():
        assert indicator.code == code
        for text in (indicator.name, indicator.why, indicator.legal_basis):
            assert str(text).strip()
        assert str(indicator.threshold).strip() and str(indicator.false_positives).strip()


# 1. Accepted work failed ------------------------------------------------------------------------


def test_a_failed_act_is_a_hit_with_its_money_and_inspector(world, posts):
    _case, act = accepted(world, amount="49500", **at(0))
    deliver_all()
    near = world.case(**at(10))
    settled()
    hit = hits("accepted_work_failed")[f"accepted_work_failed:act:{act.pk}"]
    assert hit.money_kzt == Decimal("49500.00") and hit.person == posts.inspector
    assert ("act", act.pk) in hit.evidence_keys and ("case", near.pk) in hit.evidence_keys
    assert hit.subject_name == f"№ {act.number}" and hit.region_id == world.region_a.pk


def test_a_complaint_31_m_away_fails_nothing(world, posts):
    accepted(world, **at(0))
    deliver_all()
    world.case(**at(31))
    settled()
    assert hits("accepted_work_failed") == {}


def test_a_signatory_with_two_failures_in_a_year_is_a_hit(world, posts):
    _a, act_a = accepted(world, **at(0))
    _b, act_b = accepted(world, **at(2000))
    deliver_all()
    world.case(**at(5))
    world.case(**at(2005))
    settled()
    person = hits("accepted_work_failed")[f"accepted_work_failed:person:{posts.inspector.pk}"]
    assert {("act", act_a.pk), ("act", act_b.pk)} <= person.evidence_keys
    assert person.money_kzt == act_a.amount_kzt + act_b.amount_kzt
    assert person.details["failed_acts"] == 2


def test_one_failure_is_not_a_signatorys_pattern(world, posts):
    accepted(world, **at(0))
    accepted(world, **at(2000))
    deliver_all()
    world.case(**at(5))
    settled()
    keys = set(hits("accepted_work_failed"))
    assert not any(":person:" in key for key in keys) and len(keys) == 1


# 2. Photo evidence ------------------------------------------------------------------------------


def _notified(world, **kw):
    return world.advance(world.case(**kw), "contractor_notified")


def test_a_photo_taken_before_the_work_order_is_a_hit_on_the_case(world, posts):
    case = _notified(world)
    order = current_work_order(case)
    work_order_report_repair(
        case,
        actor=world.contractor_user,
        before=[photo(1, taken_at=order.issued_at - dt.timedelta(days=7), lat=LAT, lon=LON)],
        after=[photo(2, taken_at=order.issued_at + dt.timedelta(hours=2), lat=LAT, lon=LON)],
    )
    settled()
    hit = hits("photo_evidence")[f"photo_evidence:case:{case.pk}"]
    assert hit.details["reasons"] == ["taken_before_order"]
    assert hit.contractor == world.contractor and hit.score == 65


def test_photos_on_site_after_the_order_with_time_and_place_are_no_hit(world, posts):
    case = _notified(world)
    later = current_work_order(case).issued_at + dt.timedelta(hours=2)
    work_order_report_repair(
        case,
        actor=world.contractor_user,
        before=[photo(1, taken_at=later, lat=LAT, lon=LON)],
        after=[photo(2, taken_at=later + dt.timedelta(hours=1), lat=LAT, lon=LON)],
    )
    settled()
    assert hits("photo_evidence") == {}


def test_the_same_picture_on_another_case_is_a_hit_naming_both_photos(world, posts):
    first, second = _notified(world), _notified(world, **at(3000))
    when = current_work_order(second).issued_at + dt.timedelta(hours=1)
    work_order_report_repair(
        first,
        actor=world.contractor_user,
        before=[photo(1, taken_at=when, lat=LAT, lon=LON)],
        after=[photo(2, taken_at=when, lat=LAT, lon=LON)],
    )
    work_order_report_repair(
        second,
        actor=world.contractor_user,
        before=[photo(3, taken_at=when, lat=float(north(3000)), lon=LON)],
        after=[photo(2, taken_at=when, lat=float(north(3000)), lon=LON)],
    )
    settled()
    found = hits("photo_evidence")
    assert set(found) == {f"photo_evidence:case:{second.pk}"}
    assert "reused" in found[f"photo_evidence:case:{second.pk}"].details["reasons"]
    originals = [
        item
        for item in found[f"photo_evidence:case:{second.pk}"].evidence
        if item.get("reasons") == ["reused_original"]
    ]
    assert [item["label"] for item in originals] == [first.tracking_code]


# 3. Rubber stamp --------------------------------------------------------------------------------


def test_accepting_minutes_after_the_report_without_a_photo_is_a_rubber_stamp(world, posts):
    _case, act = accepted(world)
    settled()
    hit = hits("rubber_stamp")[f"rubber_stamp:act:{act.pk}"]
    assert hit.person == posts.inspector and hit.money_kzt == act.amount_kzt
    assert hit.details["threshold_minutes"] == 30


@pytest.mark.parametrize("miss", ["31 minutes later", "with an inspection photo"])
def test_a_real_inspection_is_no_rubber_stamp(world, posts, miss):
    case = world.advance(world.case(), "repaired")
    photos = None
    moment = clock.now()
    if miss == "31 minutes later":
        moment += dt.timedelta(minutes=31)
    else:
        photos = [image_upload("inspection.jpg")]
    with clock.frozen_at(moment):
        act_sign(
            case, actor=world.inspector, quantity="1", unit="m2", amount_kzt="100", photos=photos
        )
    settled()
    assert hits("rubber_stamp") == {}


# 4. Inspector–contractor affinity --------------------------------------------------------------


def _affinity_world(world, close_acts: int):
    """Five inspector–contractor pairs in region A: one with `close_acts` acts, four with one."""
    people = [Person.objects.create(full_name=f"Инспектор {i}") for i in range(4)]
    case = world.case()
    mine = order_for(world, case, world.contract)
    theirs = order_for(world, case, world.other_contract)
    n = 0
    for _ in range(close_acts):
        n += 1
        act_row(world, mine, people[0], number=f"X/{n}", amount="1000")
    for person, order in ((people[1], mine), (people[2], mine), (people[3], theirs)):
        n += 1
        act_row(world, order, person, number=f"X/{n}")
    n += 1
    act_row(world, theirs, people[1], number=f"X/{n}")
    return people


def test_an_inspector_far_above_the_regions_fence_is_a_hit_with_the_fence_published(world):
    people = _affinity_world(world, close_acts=8)
    red_flags_full_pass(["inspector_contractor_affinity"])
    [hit] = hits("inspector_contractor_affinity").values()
    assert hit.person == people[0] and hit.contractor == world.contractor
    assert hit.details["acts"] == 8 and hit.details["fence"] == 1 and hit.details["q3"] == 1
    assert hit.details["pairs"] == 5 and hit.money_kzt == Decimal("8000.00")
    assert len(hit.evidence_keys) == 9  # the eight acts and the contractor


def test_four_acts_are_too_few_to_call_an_outlier(world):
    _affinity_world(world, close_acts=4)
    red_flags_full_pass(["inspector_contractor_affinity"])
    assert hits("inspector_contractor_affinity") == {}


# 5. Late contractor keeps getting orders -------------------------------------------------------


def _late_scenario(world, *, report_first: bool):
    first = _notified(world)
    second = world.advance(world.case(**at(500)), "assigned")
    late = current_work_order(first).due_at + dt.timedelta(days=1)
    with clock.frozen_at(late):
        if report_first:
            services.case_report_repaired(
                first,
                actor=world.contractor_user,
                before=[image_upload("b.jpg")],
                after=[image_upload("a.png", "PNG")],
            )
    with clock.frozen_at(late + dt.timedelta(hours=1)):
        return work_order_issue(second, actor=world.officer, contract=world.contract)


def test_a_new_order_to_a_contractor_late_on_another_is_a_hit(world, posts):
    order = _late_scenario(world, report_first=False)
    settled()
    [(key, hit)] = hits("late_contractor_new_orders").items()
    assert key.endswith(f":contractor:{world.contractor.pk}:department:{world.dep_a1.pk}")
    assert hit.evidence_keys == {("work_order", order.pk)}
    assert hit.details["most_late_orders"] == 1 and hit.money_kzt == world.contract.amount_kzt


def test_a_late_order_reported_done_before_the_new_one_is_no_hit(world, posts):
    _late_scenario(world, report_first=True)
    settled()
    assert hits("late_contractor_new_orders") == {}


# 6. Contract splitting -------------------------------------------------------------------------


def _contract(world, number: str, amount: int, days_ago: int, department=None) -> Contract:
    today = clock.now().date()
    contract = Contract.objects.create(
        contractor=world.contractor,
        department=department or world.dep_a1,
        number=number,
        signed_on=today - dt.timedelta(days=days_ago),
        amount_kzt=amount,
        starts_on=today - dt.timedelta(days=days_ago),
        ends_on=today + dt.timedelta(days=200),
    )
    contract.districts.set([world.a1])
    return contract


def test_contracts_under_the_threshold_within_30_days_together_over_it_are_split(world, settings):
    settings.RED_FLAG_SPLITTING_THRESHOLD_KZT = 2_500_000
    b = _contract(world, "A1-010", 900_000, 10)
    c = _contract(world, "A1-011", 800_000, 25)
    settled()
    [hit] = hits("contract_splitting").values()
    split = {("contract", world.contract.pk), ("contract", b.pk), ("contract", c.pk)}
    assert hit.evidence_keys == split
    assert hit.money_kzt == Decimal("2700000.00") and hit.subject_id == c.pk
    assert hit.details["threshold_kzt"] == "2500000"


@pytest.mark.parametrize("miss", ["under the threshold together", "40 days apart", "one over it"])
def test_near_misses_are_not_splitting(world, settings, miss):
    settings.RED_FLAG_SPLITTING_THRESHOLD_KZT = 2_500_000
    if miss == "under the threshold together":
        _contract(world, "A1-010", 700_000, 10)
        _contract(world, "A1-011", 700_000, 20)
    elif miss == "40 days apart":
        _contract(world, "A1-010", 1_600_000, 40)
    else:
        _contract(world, "A1-010", 2_600_000, 5)
    settled()
    assert hits("contract_splitting") == {}


# 7. Contract raised or extended ----------------------------------------------------------------


def test_a_contract_raised_after_signing_is_a_hit_with_the_raise(world):
    contract_modify(
        world.contract,
        actor=superuser(),
        new_amount_kzt="1250000",
        new_ends_on=world.contract.ends_on,
        modified_on=world.contract.signed_on,
        reason="Дополнительный объём работ",
    )
    settled()
    hit = hits("contract_modified")[f"contract_modified:contract:{world.contract.pk}"]
    assert hit.money_kzt == Decimal("250000.00") and hit.details["raised_percent"] == 25.0


def test_a_contract_lowered_in_amount_is_no_hit(world):
    contract_modify(
        world.contract,
        actor=superuser(),
        new_amount_kzt="900000",
        new_ends_on=world.contract.ends_on,
        modified_on=world.contract.signed_on,
        reason="Экономия по результатам",
    )
    settled()
    assert hits("contract_modified") == {}


# 8. Rejected, then reopened on appeal ----------------------------------------------------------


def test_a_rejection_overturned_on_appeal_is_a_hit_naming_who_rejected(world, posts):
    case = world.advance(world.case(), "rejected")
    services.case_reopen(case, actor=world.clerk, reason="Обжалование жителя", kind="appeal")
    settled()
    hit = hits("rejected_then_reopened")[f"rejected_then_reopened:case:{case.pk}"]
    assert hit.person.user == world.clerk
    assert [item["action"] for item in hit.evidence] == ["reject", "reopen"]


def test_a_rejection_that_stands_is_no_hit(world, posts):
    world.advance(world.case(), "rejected")
    settled()
    assert hits("rejected_then_reopened") == {}


# 9. Rejected at the deadline -------------------------------------------------------------------


@pytest.mark.parametrize("days_after_receipt, fires", [(14, True), (15, True), (13, False)])
def test_a_rejection_within_one_working_day_of_the_deadline(
    world, posts, days_after_receipt, fires
):
    case = world.case()
    assert case.due_at == deadlines.add_working_days(case.received_at, 15)
    with clock.frozen_at(deadlines.add_working_days(case.received_at, days_after_receipt)):
        world.advance(case, "rejected")
    settled()
    found = hits("rejection_near_deadline")
    assert (f"rejection_near_deadline:case:{case.pk}" in found) is fires


# 10. Deadline extended more than once ----------------------------------------------------------


def _extend(world, case, days: int):
    case.refresh_from_db()
    return services.case_extend_deadline(
        case,
        actor=world.officer,
        new_due_at=case.due_at + dt.timedelta(days=days),
        decision="Нужна экспертиза покрытия",
    )


@pytest.mark.parametrize("times, fires", [(2, True), (1, False)])
def test_a_deadline_extended_twice_is_a_hit(world, posts, times, fires):
    case = world.advance(world.case(), "assigned")
    for _ in range(times):
        _extend(world, case, 1)
    settled()
    found = hits("deadline_extended_twice")
    assert (f"deadline_extended_twice:case:{case.pk}" in found) is fires
