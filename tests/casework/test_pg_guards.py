"""PostgreSQL refuses, even from raw SQL, what would rewrite the audit trail or jump states."""

import itertools

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from casework.audit import case_states_verify, chain_verify, event_append
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
    # Only the edge check here: the owner sets aside the event check (below) for this test's
    # transaction, which is rolled back.
    raw("ALTER TABLE casework_case DISABLE TRIGGER casework_case_change_has_event")
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


# A case's state and event counter move only together with its event (checked at commit).


def committed(sql, params=()):
    """Run raw SQL in a transaction of its own and commit it (the test is transactional)."""
    assert not transaction.get_connection().in_atomic_block
    raw(sql, params)


@pytest.mark.django_db(transaction=True)
def test_a_raw_move_along_a_legal_edge_without_an_event_is_refused_at_commit(
    requires_postgres, world
):
    case = world.case()
    with pytest.raises(IntegrityError, match="state received -> assigned without a new event"):
        committed("UPDATE casework_case SET state = 'assigned' WHERE id = %s", [case.pk])
    assert Case.objects.get(pk=case.pk).state == "received"


@pytest.mark.django_db(transaction=True)
def test_a_raw_event_counter_bump_without_an_event_is_refused(requires_postgres, world):
    case = world.case()
    with pytest.raises(IntegrityError, match="event_seq 2 names no event"):
        committed(
            "UPDATE casework_case SET state = 'assigned', event_seq = event_seq + 1 WHERE id = %s",
            [case.pk],
        )
    with pytest.raises(IntegrityError, match="without a new event"):
        committed("UPDATE casework_case SET event_seq = 0 WHERE id = %s", [case.pk])
    assert Case.objects.values_list("state", "event_seq").get(pk=case.pk) == ("received", 1)


@pytest.mark.django_db(transaction=True)
def test_a_state_change_with_its_event_in_the_same_transaction_is_committed(
    requires_postgres, world
):
    case = world.case()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        event_append(
            locked,
            actor=world.clerk,
            action="assign",
            from_state="received",
            to_state="assigned",
            role="clerk",
        )
        # The row written after its event, by hand: the check runs at commit, in either order.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE casework_case SET state = 'assigned', event_seq = %s WHERE id = %s",
                [locked.event_seq, case.pk],
            )
    assert Case.objects.values_list("state", "event_seq").get(pk=case.pk) == ("assigned", 2)
    assert chain_verify().ok
    assert case_states_verify() == (1, None)


@pytest.mark.django_db(transaction=True)
def test_an_event_of_another_state_does_not_cover_a_move(requires_postgres, world):
    case = world.case()
    with pytest.raises(IntegrityError, match="state assigned but its last event .#2. leaves it"):
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            event_append(locked, actor=None, action="note", from_state="received",
                         to_state="received", role="system")  # fmt: skip
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE casework_case SET state = 'assigned', event_seq = %s WHERE id = %s",
                    [locked.event_seq, case.pk],
                )
    assert Case.objects.get(pk=case.pk).state == "received"
