import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from casework.audit import (
    GENESIS_HASH,
    NewEvent,
    canonical_json,
    chain_verify,
    event_hash,
    events_append_many,
)
from casework.models import AuditHead, Case, CaseEvent, CaseUpdateRefused

pytestmark = pytest.mark.django_db


def _raw(sql, params=()):
    """Tamper the way someone with full database access would. On PostgreSQL that takes a
    superuser switching triggers off for the session (the triggers stop everyone else). The
    checks the history before it left for the commit run first, as its own commit would have."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _build_history(world, n=3):
    for _ in range(n):
        world.advance(world.case(), "verified")


def test_chain_links_every_event_to_the_one_before(world):
    _build_history(world, 2)
    events = list(CaseEvent.objects.order_by("id"))
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.hash == event_hash(before.hash, after)
    head = AuditHead.objects.get()
    assert head.last_hash == events[-1].hash and head.count == len(events)


def test_verify_audit_passes_on_an_intact_chain(world):
    _build_history(world)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith(f"audit chain intact: {CaseEvent.objects.count()} events")


def test_verify_audit_names_a_case_whose_state_is_not_its_last_events(world):
    _build_history(world, 2)
    case = world.advance(world.case(), "assigned")
    _raw("UPDATE casework_case SET state = 'verified' WHERE id = %s", [case.pk])
    assert chain_verify().ok
    with pytest.raises(
        CommandError,
        match=f"case {case.pk} does not match its events: is verified but its last event "
        r"\(#2\) leaves it assigned",
    ):
        call_command("verify_audit", stdout=io.StringIO())


def test_verify_audit_names_a_case_whose_counter_is_not_its_last_event(world):
    case = world.case()
    _raw("UPDATE casework_case SET event_seq = 5 WHERE id = %s", [case.pk])
    with pytest.raises(CommandError, match="counts 5 events but its last event is #1"):
        call_command("verify_audit", stdout=io.StringIO())


def test_verify_audit_says_the_cases_match_their_events(world):
    _build_history(world, 2)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "case states match their last events: 2 cases" in out.getvalue()


def test_edited_reason_is_found(world):
    _build_history(world)
    victim = CaseEvent.objects.filter(action="verify").order_by("id")[1]
    _raw("UPDATE casework_caseevent SET reason = %s WHERE id = %s", ["Всё хорошо", victim.pk])
    report = chain_verify()
    assert not report.ok and report.bad_event_id == victim.pk
    with pytest.raises(CommandError, match=f"event {victim.pk}: content was changed"):
        call_command("verify_audit")


def test_edited_payload_is_found_even_if_rehashed_alone(world):
    _build_history(world)
    victim = CaseEvent.objects.filter(action="assign").order_by("id")[0]
    victim.payload["department"] = 999
    forged = event_hash(victim.prev_hash, victim)
    _raw(
        "UPDATE casework_caseevent SET payload = %s, hash = %s WHERE id = %s",
        [canonical_json(victim.payload), forged, victim.pk],
    )
    report = chain_verify()
    # The forged row matches itself, but the next event still points at the old hash.
    assert not report.ok and report.bad_event_id > victim.pk
    assert "does not follow" in report.problem


def test_deleted_event_is_found(world):
    _build_history(world)
    victim = CaseEvent.objects.order_by("id")[4]
    _raw("DELETE FROM casework_caseevent WHERE id = %s", [victim.pk])
    report = chain_verify()
    assert not report.ok and report.bad_event_id == victim.pk + 1


def test_deleted_newest_event_is_found(world):
    _build_history(world)
    newest = CaseEvent.objects.order_by("-id").first()
    _raw("DELETE FROM casework_caseevent WHERE id = %s", [newest.pk])
    report = chain_verify()
    assert not report.ok and "newest events were deleted" in report.problem


def test_inserted_event_is_found(world):
    _build_history(world, 1)
    first = CaseEvent.objects.order_by("id").first()
    _raw(
        "INSERT INTO casework_caseevent (case_id, seq, role, action, from_state, to_state, reason,"
        " payload, created_at, prev_hash, hash) VALUES (%s, 99, 'clerk', 'verify', 'repaired',"
        " 'verified', '', %s, %s, %s, %s)",
        [first.case_id, json.dumps({}), first.created_at, first.hash, "f" * 64],
    )
    assert not chain_verify().ok


def test_an_event_numbered_out_of_turn_on_its_case_is_found(world):
    """Hashes and links all match (the appender wrote it), but the case's numbering skips."""
    case = world.case()
    with transaction.atomic():
        (skipped,) = events_append_many(
            [
                NewEvent(
                    case_id=case.pk,
                    seq=3,
                    action="note",
                    from_state="received",
                    to_state="received",
                )
            ]
        )
    report = chain_verify()
    assert not report.ok and report.bad_event_id == skipped.pk
    assert report.problem == "is number 3 on its case, expected 2"
    with pytest.raises(CommandError, match=f"event {skipped.pk}: is number 3 on its case"):
        call_command("verify_audit", stdout=io.StringIO())


def test_case_queryset_update_and_bulk_update_are_refused(world):
    case = world.case()
    with pytest.raises(CaseUpdateRefused):
        Case.objects.filter(pk=case.pk).update(state="verified")
    with pytest.raises(CaseUpdateRefused):
        Case.objects.filter(pk=case.pk).update(title="x")
    with pytest.raises(CaseUpdateRefused):
        Case.objects.bulk_update([case], ["state"])
    assert Case.objects.get(pk=case.pk).state == "received"


def test_events_cannot_be_changed_or_deleted_through_the_orm(world):
    case = world.case()
    event = CaseEvent.objects.get(case=case)
    event.reason = "edited"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        CaseEvent.objects.filter(case=case).update(reason="x")
    with pytest.raises(PermissionError):
        CaseEvent.objects.filter(case=case).delete()


def test_every_change_leaves_a_history_row_with_who_and_why(world):
    case = world.advance(world.case(), "assigned")
    history = list(
        case.history.order_by("history_date").values_list(
            "state", "history_user_id", "history_change_reason"
        )
    )
    assert history[0][0] == "received"
    assert history[-1] == ("assigned", world.clerk.pk, "assign")
