"""Accepting a repair signs an acceptance act: append-only, hashed into the case's audit chain."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from casework.audit import chain_verify
from casework.models import CaseEvent
from casework.states import CaseState
from oversight.acts import act_hash
from oversight.models import AcceptanceAct, AcceptanceActSignatory
from oversight.services import act_correct, act_sign
from tests.oversight.conftest import accepted

pytestmark = pytest.mark.django_db


def test_accepting_a_repair_signs_an_act_with_photos_signatories_and_money(world, posts):
    case, act = accepted(world)
    assert case.state == CaseState.VERIFIED
    assert (act.quantity, act.unit, act.amount_kzt) == (Decimal("2.5"), "m2", Decimal("48500"))
    assert act.contract == world.contract and act.work_order.case_id == case.pk
    assert act.number == f"{case.tracking_code}/1"
    # The repair report's before and after photos, each with its SHA-256.
    kinds = sorted(p.kind for p in act.photos.all())
    assert kinds == ["after", "before"]
    for photo in act.photos.select_related("attachment"):
        assert photo.sha256 == photo.attachment.sha256 and len(photo.sha256) == 64
    signed = {s.role: s for s in act.signatories.all()}
    Role = AcceptanceActSignatory.Role
    assert signed[Role.INSPECTOR].person == posts.inspector
    assert signed[Role.INSPECTOR].occupancy == posts.inspector_job
    assert signed[Role.CUSTOMER].occupancy == posts.head_job
    assert signed[Role.CONTRACTOR].occupancy == posts.rep_job


def test_the_acts_hash_is_in_the_audit_chain_and_the_chain_verifies(world, posts):
    case, act = accepted(world)
    event = CaseEvent.objects.get(case=case, action="act_signed")
    assert act.event_id == event.pk
    assert event.payload["sha256"] == act.content_sha256 == act_hash(act)
    assert event.payload["act"] == act.number
    report = chain_verify()
    assert report.ok, report.problem
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert f"audit chain intact: {report.checked} events, head {event.hash}" in out.getvalue()


def test_a_changed_act_no_longer_matches_its_recorded_hash(world, posts):
    _case, act = accepted(world)
    act.amount_kzt = Decimal("1")  # in memory only: what a tampered row would say
    assert act_hash(act) != act.content_sha256


def test_a_correction_is_a_new_act_superseding_the_old_with_a_reason(world, posts):
    case, act = accepted(world)
    fixed = act_correct(act, actor=world.inspector, reason="3 m², not 2.5", quantity="3")
    assert fixed.supersedes == act and fixed.correction_reason == "3 m², not 2.5"
    assert (fixed.quantity, fixed.amount_kzt) == (Decimal("3"), act.amount_kzt)
    assert fixed.number == f"{case.tracking_code}/2" and fixed.content_sha256 == act_hash(fixed)
    old = AcceptanceAct.objects.get(pk=act.pk)
    assert old.quantity == Decimal("2.5") and old.content_sha256 == act.content_sha256
    with pytest.raises(ValidationError):
        act_correct(fixed, actor=world.inspector, reason="  ")
    assert chain_verify().ok


@pytest.mark.parametrize(
    ("field", "value"),
    [("quantity", "0"), ("quantity", "abc"), ("unit", "kg"), ("amount_kzt", "-5")],
)
def test_bad_act_input_is_refused_and_nothing_changes(world, posts, field, value):
    case = world.advance(world.case(), CaseState.REPAIRED)
    events = CaseEvent.objects.filter(case=case).count()
    data = {"quantity": "2.5", "unit": "m2", "amount_kzt": "100", field: value}
    with pytest.raises(ValidationError) as refused:
        act_sign(case, actor=world.inspector, **data)
    assert field in refused.value.message_dict
    case.refresh_from_db()
    assert case.state == CaseState.REPAIRED
    assert CaseEvent.objects.filter(case=case).count() == events
    assert not AcceptanceAct.objects.exists()


def test_an_act_may_not_charge_more_than_the_contract_holds(world, posts):
    accepted(world, amount="900000")
    case = world.advance(world.case(), CaseState.REPAIRED)
    with pytest.raises(ValidationError) as refused:
        act_sign(case, actor=world.inspector, quantity="1", unit="m2", amount_kzt="100001")
    assert "amount_kzt" in refused.value.message_dict
    case.refresh_from_db()
    assert case.state == CaseState.REPAIRED


def test_acts_refuse_orm_update_and_delete(world, posts):
    _case, act = accepted(world)
    with pytest.raises(PermissionError):
        AcceptanceAct.objects.filter(pk=act.pk).update(amount_kzt=1)
    with pytest.raises(PermissionError):
        act.save()
    with pytest.raises(PermissionError):
        act.delete()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE oversight_acceptanceact SET amount_kzt = 1",
        "DELETE FROM oversight_acceptanceact",
        "UPDATE oversight_acceptanceactphoto SET sha256 = 'x'",
        "UPDATE oversight_acceptanceactsignatory SET role = 'inspector'",
        "UPDATE oversight_decisionattribution SET action = 'x'",
    ],
)
def test_postgres_refuses_raw_rewrites_of_acts(requires_postgres, world, posts, sql):
    _case, act = accepted(world)
    from tests.oversight.conftest import deliver_all

    deliver_all()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AcceptanceAct.objects.get(pk=act.pk).amount_kzt == Decimal("48500")
