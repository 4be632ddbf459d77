"""Votes are hash-chained: `verify_audit` walks the vote chain and names the first vote that
does not match; on PostgreSQL the database refuses UPDATE and DELETE of votes and holds."""

import contextlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from ratings.models import Vote
from ratings.vote_chain import votes_verify
from ratings.votes import vote_cast
from tests.ratings.vote_helpers import verified

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


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.fixture
def three_votes(world):
    votes = []
    for result in (5, 4, 3):
        case = verified(world)
        votes.append(
            vote_cast(case, token=case.access_token, result_score=result, answer_score=result)
        )
    return votes


def test_verify_audit_walks_the_vote_chain(three_votes):
    head = Vote.objects.order_by("-id").first().hash
    assert f"votes chain intact: 3 rows, head {head}" in verify()
    assert votes_verify().ok


def test_a_changed_score_is_named(three_votes):
    middle = three_votes[1]
    tamper("UPDATE ratings_vote SET result_score = 1 WHERE id = %s", [middle.pk])
    with pytest.raises(CommandError, match=f"votes chain broken at row {middle.pk}: content"):
        verify()


def test_a_deleted_vote_breaks_the_chain_at_the_next_one(three_votes):
    first, second, third = three_votes
    tamper("DELETE FROM ratings_vote WHERE id = %s", [second.pk])
    with pytest.raises(
        CommandError, match=f"votes chain broken at row {third.pk}: does not follow"
    ):
        verify()


def test_a_deleted_newest_vote_is_found_by_the_head(three_votes):
    tamper("DELETE FROM ratings_vote WHERE id = %s", [three_votes[2].pk])
    report = votes_verify()
    assert not report.ok and report.bad_event_id == three_votes[2].pk
    assert "newest votes were deleted" in report.problem


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ratings_vote SET result_score = 1",
        "DELETE FROM ratings_vote",
        "SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE ratings_vote CASCADE",
    ],
)
def test_postgres_refuses_raw_rewrites_of_votes(requires_postgres, three_votes, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert sorted(Vote.objects.values_list("result_score", flat=True)) == [3, 4, 5]
