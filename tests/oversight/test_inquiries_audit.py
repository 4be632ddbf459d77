"""The inquiry log cannot be quietly rewritten: `verify_audit` walks it and names the first row
that does not match (a changed entry, a custody record changed or deleted behind the log); on
PostgreSQL the database refuses UPDATE and DELETE of the log, evidence and custody rows, also to
the application's own role."""

import contextlib

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from oversight.inquiries import evidence_add, evidence_transfer, inquiry_assign
from oversight.models import CustodyTransfer, InquiryLogEntry
from tests.oversight.inquiry_fixtures import *  # noqa: F403  (the fixtures)
from tests.oversight.inquiry_fixtures import upload
from tests.pg_roles import app_connection_params

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def triggers_off():
    """Raw SQL past the append-only triggers, as a superuser could (or anyone on SQLite)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def tamper(sql: str, params: list) -> None:
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def handed_over(world, team, inquiry):
    inquiry_assign(inquiry, actor=team.supervisor, add=[team.second])
    item = evidence_add(inquiry, actor=team.lead, file=upload())
    return evidence_transfer(item, actor=team.lead, to_user=team.second, reason="На экспертизу")


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_verify_audit_walks_the_inquiry_log(world, handed_over):
    out = verify()
    count = InquiryLogEntry.objects.count()
    head = InquiryLogEntry.objects.order_by("-id").first().hash
    assert f"inquiry log chain intact: {count} rows, head {head}" in out


def test_a_custody_record_changed_behind_the_log_is_named(world, team, handed_over):
    tamper(
        "UPDATE oversight_custodytransfer SET to_user_id = %s WHERE id = %s",
        [team.idle.pk, handed_over.pk],
    )
    with pytest.raises(CommandError, match=f"custody transfer {handed_over.pk} does not match"):
        verify()


def test_a_deleted_custody_record_is_named(world, handed_over):
    tamper("DELETE FROM oversight_custodytransfer WHERE id = %s", [handed_over.pk])
    with pytest.raises(CommandError, match=f"custody transfer {handed_over.pk} .* is missing"):
        verify()


def test_a_changed_log_entry_is_named(world, handed_over):
    entry = InquiryLogEntry.objects.get(action="custody_transferred")
    tamper(
        "UPDATE oversight_inquirylogentry SET reason = %s WHERE id = %s",
        ["Просто так", entry.pk],
    )
    with pytest.raises(CommandError, match=f"at row {entry.pk}: content was changed"):
        verify()


def test_a_deleted_log_entry_breaks_the_chain(world, handed_over):
    entry = InquiryLogEntry.objects.get(action="custody_transferred")
    tamper("DELETE FROM oversight_inquirylogentry WHERE id = %s", [entry.pk])
    with pytest.raises(CommandError, match="inquiry log chain broken"):
        verify()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE oversight_inquirylogentry SET reason = 'x'",
        "DELETE FROM oversight_inquirylogentry",
        "UPDATE oversight_custodytransfer SET reason = 'x'",
        "DELETE FROM oversight_custodytransfer",
        "UPDATE oversight_evidenceitem SET sha256 = 'x'",
        # The test's own transaction has deferred foreign-key checks pending: run them first.
        "SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE oversight_custodytransfer",
    ],
)
def test_postgres_refuses_raw_rewrites_of_the_inquiry_records(
    requires_postgres, world, handed_over, sql
):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert CustodyTransfer.objects.get(pk=handed_over.pk).reason == "На экспертизу"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_app_role_cannot_rewrite_custody_or_the_log(requires_postgres, app_role, handed_over):
    with psycopg.connect(**app_connection_params(), autocommit=True) as conn:
        for sql in (
            "UPDATE oversight_custodytransfer SET reason = 'x'",
            "DELETE FROM oversight_custodytransfer",
            "UPDATE oversight_inquirylogentry SET reason = 'x'",
            "ALTER TABLE oversight_custodytransfer DISABLE TRIGGER USER",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                with conn.transaction(), conn.cursor() as cursor:
                    cursor.execute(sql)
    assert CustodyTransfer.objects.get(pk=handed_over.pk).reason == "На экспертизу"
    assert "inquiry log chain intact" in verify()
