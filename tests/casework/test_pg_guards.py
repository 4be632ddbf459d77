"""PostgreSQL refuses, even from raw SQL, what would rewrite the audit trail or jump states."""

import itertools

import pytest
from django.db import DatabaseError, connection, transaction

from casework.models import Case, CaseEvent
from casework.states import CaseState, legal_pairs

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def history(requires_postgres, world):
    from intake.models import StaffChat

    StaffChat.objects.create(user=world.contractor_user, chat_id=4242)
    return world.advance(world.case(), "verified")


def test_event_update_is_refused(history):
    event = CaseEvent.objects.filter(case=history).first()
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE casework_caseevent SET reason = 'x' WHERE id = %s", [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).reason == event.reason


def test_event_delete_and_truncate_are_refused(history):
    count = CaseEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM casework_caseevent")
    with pytest.raises(DatabaseError, match="append-only"):
        # Settle the test transaction's deferred FK checks first, or TRUNCATE refuses for that.
        raw("SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE casework_caseevent CASCADE")
    assert CaseEvent.objects.count() == count


@pytest.mark.parametrize(
    "table",
    [
        "casework_historicalcase",
        "casework_historicalcomplainant",
        "contractors_historicalworkorder",
        "intake_historicalstaffchat",
    ],
)
def test_history_tables_are_append_only(history, table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        before = cursor.fetchone()[0]
    assert before > 0
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"UPDATE {table} SET history_change_reason = 'rewritten'")
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"DELETE FROM {table}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == before


def test_every_illegal_state_jump_is_refused_and_every_legal_one_allowed(requires_postgres, world):
    case = world.case()
    allowed = legal_pairs()
    for source, target in itertools.product(CaseState.values, repeat=2):
        if source == target:
            continue
        # Put the row in `source` with the guard off, then try the jump with it on.
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("UPDATE casework_case SET state = %s WHERE id = %s", [source, case.pk])
            cursor.execute("SET session_replication_role = DEFAULT")
        try:
            raw("UPDATE casework_case SET state = %s WHERE id = %s", [target, case.pk])
            jumped = True
        except DatabaseError as error:
            assert "illegal case state change" in str(error)
            jumped = False
        assert jumped == ((source, target) in allowed), (source, target)


def test_raw_jump_from_received_to_verified_is_refused(requires_postgres, world):
    case = world.case()
    with pytest.raises(DatabaseError, match="illegal case state change received -> verified"):
        raw("UPDATE casework_case SET state = 'verified' WHERE id = %s", [case.pk])
    assert Case.objects.get(pk=case.pk).state == "received"
