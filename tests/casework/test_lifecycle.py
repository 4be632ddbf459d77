import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from casework import clock, services, tracking
from casework.deadlines import add_working_days
from casework.limits import DESCRIPTION_MAX_CHARS, TITLE_MAX_CHARS
from casework.models import Case, CaseEvent, Complainant
from casework.public import case_by_code
from casework.services import TransitionConflict
from casework.tracking import tracking_code_plausible
from contractors.models import WorkOrder
from contractors.services import work_order_issue
from tests.factories import image_upload

pytestmark = pytest.mark.django_db


def events(case):
    return list(
        CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", flat=True)
    )


def test_case_open_gives_tracking_code_token_and_legal_deadlines(world):
    moment = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)
    case = world.case(received_at=moment)
    assert re.fullmatch(rf"AQT-{moment.year}-[0-9A-HJKMNP-TV-Z]{{9}}", case.tracking_code)
    assert len(case.access_token) >= 32 and case.access_token not in case.tracking_code
    assert case.state == "received"
    assert case.due_at == add_working_days(moment, 15)
    assert case.stage_due_at == add_working_days(moment, 1)
    assert events(case) == ["open"]


def test_tracking_codes_are_random_with_a_check_character_per_region_and_year(world):
    codes = [world.case().tracking_code for _ in range(5)]
    other_region = world.case(district=world.b1).tracking_code
    year = clock.now().year
    assert all(code.startswith(f"AQT-{year}-") for code in codes)
    assert other_region.startswith(f"ZHA-{year}-")
    tails = [code.rpartition("-")[2] for code in codes]
    assert len(set(tails)) == 5 and not any(tail.isdigit() for tail in tails)
    assert all(tracking_code_plausible(code) for code in codes)


def test_a_mistyped_code_fails_its_check_and_is_not_looked_up(world, django_assert_num_queries):
    code = world.case().tracking_code
    head, _, tail = code.rpartition("-")
    wrong = "1" if tail[3] != "1" else "2"
    typo = f"{head}-{tail[:3]}{wrong}{tail[4:]}"
    swapped = f"{head}-{tail[1]}{tail[0]}{tail[2:]}"
    assert case_by_code(code) is not None
    with django_assert_num_queries(0):
        assert case_by_code(typo) is None
        # Luhn mod 32 misses one swap only: 0 and Z (the alphabet's first and last).
        if tail[0] != tail[1] and {tail[0], tail[1]} != {"0", "Z"}:
            assert case_by_code(swapped) is None


def test_codes_are_found_as_people_type_them_and_old_codes_still_work(world, monkeypatch):
    case = world.case()
    head, _, tail = case.tracking_code.rpartition("-")
    typed = f"{head}-{tail.replace('0', 'o').replace('1', 'l')}".lower()
    assert case_by_code(f"  {typed} ") == case
    monkeypatch.setattr(tracking, "tracking_code_new", lambda region, year: "AQT-2025-000123")
    older = world.case()
    assert older.tracking_code == "AQT-2025-000123"
    assert case_by_code("aqt-2025-000123") == older


def test_state_cannot_be_assigned_directly(world):
    case = world.case()
    with pytest.raises(AttributeError):
        case.state = "verified"


def test_happy_path_writes_one_event_per_step(world):
    case = world.advance(world.case(), "verified")
    assert case.state == "verified"
    assert case.verified_by == world.inspector
    assert case.closed_at is not None
    assert events(case) == ["open", "assign", "notify_contractor", "report_repaired", "verify"]
    assert WorkOrder.objects.get(case=case).status == "accepted"


def test_clerk_of_another_district_cannot_assign(world):
    case = world.case()
    with pytest.raises(PermissionDenied):
        services.case_assign(case, actor=world.clerk_a2, department=world.dep_a1)
    assert Case.objects.get(pk=case.pk).state == "received"
    assert events(case) == ["open"]


def test_officer_may_redirect_but_not_route_new_cases(world):
    case = world.case()
    with pytest.raises(PermissionDenied):
        services.case_assign(case, actor=world.officer, department=world.dep_a1)
    case = services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    with pytest.raises(ValidationError) as missing_reason:
        services.case_assign(case, actor=world.officer, department=world.dep_a1_build)
    assert "reason" in missing_reason.value.message_dict
    case = services.case_assign(
        case, actor=world.officer, department=world.dep_a1_build, reason="Не наш профиль"
    )
    assert case.department == world.dep_a1_build
    assert case.reroute_count == 1
    last = CaseEvent.objects.filter(case=case).last()
    assert last.payload["reroute"] is True and last.payload["late_redirect"] is False


def test_redirect_after_three_working_days_is_recorded_as_late(world):
    start = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # a Monday
    with clock.frozen_at(start):
        case = world.case()
        case = services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    with clock.frozen_at(start + dt.timedelta(days=4)):  # Friday: past the 3-day redirect
        services.case_assign(case, actor=world.officer, department=world.dep_a1_build, reason="x")
    assert CaseEvent.objects.filter(case=case).last().payload["late_redirect"] is True


def test_assign_to_same_department_or_other_region_is_refused(world):
    case = services.case_assign(world.case(), actor=world.clerk, department=world.dep_a1)
    with pytest.raises(ValidationError):
        services.case_assign(case, actor=world.officer, department=world.dep_a1, reason="x")
    with pytest.raises(ValidationError):
        services.case_assign(case, actor=world.officer, department=world.dep_b1, reason="x")


def test_work_order_needs_a_contract_of_the_department_covering_the_case(world):
    case = world.advance(world.case(), "assigned")
    with pytest.raises(ValidationError) as error:
        work_order_issue(case, actor=world.officer, contract=world.contract_b1)
    assert "contract" in error.value.message_dict
    assert Case.objects.get(pk=case.pk).state == "assigned"
    assert not WorkOrder.objects.filter(case=case).exists()


def test_only_the_contractor_on_the_current_order_reports_the_repair(world):
    case = world.advance(world.case(), "contractor_notified")
    with pytest.raises(PermissionDenied):
        services.case_report_repaired(
            case, actor=world.other_contractor_user, before=[image_upload()], after=[image_upload()]
        )
    with pytest.raises(ValidationError) as error:
        services.case_report_repaired(
            case, actor=world.contractor_user, before=[], after=[image_upload()]
        )
    assert "before" in error.value.message_dict
    assert Case.objects.get(pk=case.pk).state == "contractor_notified"


def test_the_officer_who_issued_the_order_cannot_verify_it(world):
    world.inspector.groups.add(world.officer.groups.first())  # an inspector who is also an officer
    case = world.advance(world.case(), "assigned")
    work_order_issue(case, actor=world.inspector, contract=world.contract)
    services.case_report_repaired(
        case, actor=world.contractor_user, before=[image_upload()], after=[image_upload()]
    )
    with pytest.raises(PermissionDenied):
        services.case_verify(case, actor=world.inspector)
    inspector2 = world.user("inspector", name="inspector2", department=world.dep_a1)
    assert services.case_verify(case, actor=inspector2).state == "verified"


def test_contractor_cannot_verify_even_with_inspector_role(world):
    case = world.advance(world.case(), "repaired")
    world.contractor_user.groups.add(world.inspector.groups.first())
    with pytest.raises(PermissionDenied):
        services.case_verify(case, actor=world.contractor_user)


def test_return_for_rework_needs_a_reason_and_loops_back(world):
    case = world.advance(world.case(), "repaired")
    with pytest.raises(ValidationError):
        services.case_return_for_rework(case, actor=world.inspector, reason="   ")
    case = services.case_return_for_rework(case, actor=world.inspector, reason="Швы не залиты")
    assert case.state == "contractor_notified" and case.rework_count == 1
    assert WorkOrder.objects.get(case=case).status == "returned"


def test_reject_reasons_and_duplicates(world):
    original = world.case()
    case = world.case()
    with pytest.raises(ValidationError) as error:
        services.case_reject(case, actor=world.clerk, reason_code="duplicate", reason="Повтор")
    assert "duplicate_of" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.case_reject(case, actor=world.clerk, reason_code="bogus", reason="x")
    with pytest.raises(ValidationError):
        services.case_reject(case, actor=world.clerk, reason_code="spam", reason="")
    with pytest.raises(ValidationError):
        services.case_reject(
            case, actor=world.clerk, reason_code="duplicate", reason="x", duplicate_of=case.pk
        )
    case = services.case_reject(
        case, actor=world.clerk, reason_code="duplicate", reason="Повтор", duplicate_of=original.pk
    )
    assert case.state == "rejected" and case.duplicate_of == original
    assert events(case) == ["open", "reject"]


def test_transition_from_wrong_state_is_a_conflict(world):
    case = world.case()
    with pytest.raises(TransitionConflict):
        services.case_verify(case, actor=world.inspector)
    with pytest.raises(TransitionConflict):
        services.case_reopen(case, actor=world.clerk, reason="x")


def test_reopen_records_the_failed_sign_offs(world):
    case = world.advance(world.case(), "verified")
    case = services.case_reopen(
        case, actor=world.clerk, kind="warranty_defect", reason="Яма вернулась через месяц"
    )
    assert case.state == "assigned" and case.reopen_count == 1 and case.verified_by is None
    payload = CaseEvent.objects.filter(case=case).last().payload
    assert payload["failed_verification_by"] == world.inspector.pk
    assert payload["failed_work_order_issued_by"] == world.officer.pk
    assert payload["kind"] == "warranty_defect"


def test_citizen_appeals_a_rejection_with_their_token(world):
    case = world.advance(world.case(), "rejected")
    with pytest.raises(PermissionDenied):
        services.case_reopen(case, actor=None, reason="Не согласен", citizen_token="wrong")
    case = services.case_reopen(
        case, actor=None, reason="Не согласен", citizen_token=case.access_token
    )
    assert case.state == "received"
    assert CaseEvent.objects.filter(case=case).last().role == "citizen"


def test_extension_needs_decision_and_is_capped_at_two_months(world):
    case = world.advance(world.case(), "assigned")
    later = case.due_at + dt.timedelta(days=10)
    with pytest.raises(ValidationError):
        services.case_extend_deadline(case, actor=world.officer, new_due_at=later, decision="")
    with pytest.raises(ValidationError) as error:
        services.case_extend_deadline(
            case,
            actor=world.officer,
            new_due_at=case.received_at + dt.timedelta(days=70),
            decision="Закуп материалов",
        )
    assert "new_due_at" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.case_extend_deadline(case, actor=world.clerk, new_due_at=later, decision="x")
    case = services.case_extend_deadline(
        case, actor=world.officer, new_due_at=later, decision="Закуп материалов по конкурсу"
    )
    assert case.due_at == later and case.extension_count == 1
    event = CaseEvent.objects.filter(case=case).last()
    assert event.action == "extend_deadline" and event.from_state == event.to_state == "assigned"
    assert "citizen_notice_due_at" in event.payload


def test_version_mismatch_is_a_conflict_and_changes_nothing(world):
    case = world.case()
    stale = case.event_seq
    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    with pytest.raises(TransitionConflict):
        services.case_assign(
            case, actor=world.officer, department=world.dep_a1_build, reason="x", version=stale
        )
    assert Case.objects.get(pk=case.pk).department == world.dep_a1


def test_identity_required_categories_refuse_anonymous(world):
    world.pothole.requires_identity = True
    world.pothole.save()
    with pytest.raises(ValidationError):
        world.case(complainant=None)


@pytest.mark.parametrize(
    "texts",
    [
        {"description": "a" * (DESCRIPTION_MAX_CHARS + 1)},
        {"title": "a" * (TITLE_MAX_CHARS + 1)},
    ],
)
def test_case_open_refuses_texts_over_the_limits_of_every_channel(world, texts):
    with pytest.raises(ValidationError) as refused:
        world.case(**texts)
    assert set(refused.value.message_dict) == set(texts)
    assert not Case.objects.exists() and not Complainant.objects.exists()


@pytest.mark.parametrize(
    ("lat", "lon"), [("91", "57"), ("50", "-181"), ("nan", "57"), ("abc", "57"), ("50", None)]
)
def test_invalid_coordinates_are_refused(world, lat, lon):
    with pytest.raises(ValidationError):
        world.case(latitude=lat, longitude=lon, address="")
    assert not Case.objects.exists()


def test_complainant_contact_is_encrypted_at_rest(world):
    world.case(
        complainant={"name": "Айгүл Сейтқали", "phone": "+77011234567", "iin": "900101300123"}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone, iin FROM casework_complainant")
        raw = cursor.fetchone()
    assert all(value and "Айгүл" not in value and "7701" not in value for value in raw)
    person = Complainant.objects.get()
    assert person.name == "Айгүл Сейтқали" and person.iin == "900101300123"


def test_reveal_is_logged_with_reason_and_refused_to_contractors(world):
    case = world.advance(world.case(), "contractor_notified")
    with pytest.raises(PermissionDenied):
        services.complainant_reveal(case, actor=world.contractor_user, reason="нужно")
    with pytest.raises(ValidationError):
        services.complainant_reveal(case, actor=world.officer, reason="")
    data = services.complainant_reveal(
        case, actor=world.officer, reason="Перезвонить заявителю и уточнить адрес дома"
    )
    assert data["phone"] == "+77011234567"
    event = CaseEvent.objects.filter(case=case).last()
    assert (
        event.action == "complainant_revealed"
        and event.reason == "Перезвонить заявителю и уточнить адрес дома"
    )
    assert "+7701" not in str(event.payload)


def _media_files(settings):
    import os

    return [f for _root, _dirs, names in os.walk(settings.MEDIA_ROOT) for f in names]


def test_truncated_photo_is_refused_before_anything_is_written(world, settings):
    case = world.advance(world.case(), "contractor_notified")
    good = image_upload()
    truncated = type(good)("broken.jpg", good.read()[:60], content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        services.case_report_repaired(
            case, actor=world.contractor_user, before=[image_upload()], after=[truncated]
        )
    assert "after" in error.value.message_dict
    assert _media_files(settings) == []
    assert Case.objects.get(pk=case.pk).state == "contractor_notified"


def test_files_saved_before_a_failure_are_removed(world, settings):
    from casework.signals import case_changed

    case = world.advance(world.case(), "contractor_notified")

    def explode(**kwargs):
        raise RuntimeError("listener failed")

    case_changed.connect(explode, dispatch_uid="explode")
    try:
        with pytest.raises(RuntimeError):
            services.case_report_repaired(
                case, actor=world.contractor_user, before=[image_upload()], after=[image_upload()]
            )
    finally:
        case_changed.disconnect(dispatch_uid="explode")
    assert _media_files(settings) == []
    assert Case.objects.get(pk=case.pk).state == "contractor_notified"
    assert events(case)[-1] == "notify_contractor"
