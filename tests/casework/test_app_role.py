"""The application's database role does not own the tables, so the audit triggers bind it: it
cannot switch them off, and raw SQL through it cannot move a case without an event."""

import psycopg
import pytest

from casework.models import Case
from tests.pg_roles import app_connection_params

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def as_app(requires_postgres, app_role):
    """A connection of its own as the app role; each `transaction()` block commits."""
    with psycopg.connect(**app_connection_params(), autocommit=True) as conn:
        with conn.cursor() as cursor:
            cursor.execute("SELECT current_user, session_user")
            assert cursor.fetchone() == (app_role, app_role)
        yield conn


SWITCH_OFF = [
    "ALTER TABLE casework_case DISABLE TRIGGER casework_case_change_has_event",
    "ALTER TABLE casework_case DISABLE TRIGGER ALL",
    "ALTER TABLE casework_case DISABLE TRIGGER USER",
    "ALTER TABLE casework_caseevent DISABLE TRIGGER casework_caseevent_append_only",
    "DROP TRIGGER casework_case_state_guard ON casework_case",
    "SET session_replication_role = replica",
]


def test_the_app_role_cannot_switch_the_audit_triggers_off(as_app):
    for statement in SWITCH_OFF:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with as_app.transaction(), as_app.cursor() as cursor:
                cursor.execute(statement)
    with as_app.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'casework_case'::regclass "
            "AND NOT tgisinternal ORDER BY tgname"
        )
        assert cursor.fetchall() == [
            ("casework_case_change_has_event", "O"),
            ("casework_case_map_cells", "O"),
            ("casework_case_state_guard", "O"),
        ]


def test_the_app_role_cannot_move_a_case_with_raw_sql(as_app, world):
    case = world.case()
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="without a new event"):
        with as_app.transaction(), as_app.cursor() as cursor:
            cursor.execute("UPDATE casework_case SET state = 'assigned' WHERE id = %s", [case.pk])
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="names no event"):
        with as_app.transaction(), as_app.cursor() as cursor:
            cursor.execute(
                "UPDATE casework_case SET state = 'rejected', event_seq = event_seq + 1 "
                "WHERE id = %s",
                [case.pk],
            )
    assert Case.objects.values_list("state", "event_seq").get(pk=case.pk) == ("received", 1)


def test_the_app_role_reads_and_writes_rows(as_app, world):
    """Not a role that can do nothing: it edits a case's other columns like the app does."""
    case = world.case()
    with as_app.transaction(), as_app.cursor() as cursor:
        cursor.execute("UPDATE casework_case SET address = 'ул. Абая, 1' WHERE id = %s", [case.pk])
    assert Case.objects.get(pk=case.pk).address == "ул. Абая, 1"
