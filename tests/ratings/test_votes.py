"""Casting a vote: only the complainant, one counted vote per case per closing, changeable for
14 days then frozen, the latest closing counts; bad input is refused and nothing is written."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casework import clock
from casework.models import Case
from casework.states import CaseState
from ratings.models import Vote
from ratings.vote_selectors import COUNTED_FIELDS, counted_votes
from ratings.votes import vote_cast, vote_record_by_clerk
from tests.ratings.vote_helpers import rejected, reopened_and_verified_again, verified

pytestmark = pytest.mark.django_db

EVER = (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC))


def counted() -> list[dict]:
    return list(counted_votes(*EVER))


def test_the_complainant_votes_with_the_case_link(world):
    case = verified(world)
    vote = vote_cast(case, token=case.access_token, result_score=4, answer_score=2, comment="Ок")
    assert (vote.result_score, vote.answer_score, vote.comment) == (4, 2, "Ок")
    assert vote.closing_event.action == "verify"
    assert counted() == [
        {
            "case_id": case.pk,
            "closing_event_id": vote.closing_event_id,
            "result_score": 4,
            "answer_score": 2,
            "cast_at": vote.cast_at,
        }
    ]


def test_a_rejected_case_is_voted_on_too(world):
    case = rejected(world)
    vote = vote_cast(case, token=case.access_token, result_score=1, answer_score=3)
    assert vote.closing_event.action == "reject"
    assert [row["answer_score"] for row in counted()] == [3]


@pytest.mark.parametrize("token", ["", "wrong-token", None])
def test_a_wrong_token_is_refused_and_nothing_written(world, token):
    case = verified(world)
    with pytest.raises(PermissionDenied):
        vote_cast(case, token=token, result_score=5, answer_score=5)
    assert Vote.objects.count() == 0


def test_another_cases_token_does_not_vote_on_this_case(world):
    mine = verified(world)
    other = verified(world)
    with pytest.raises(PermissionDenied):
        vote_cast(other, token=mine.access_token, result_score=5, answer_score=5)
    assert Vote.objects.count() == 0


@pytest.mark.parametrize(
    ("result", "answer", "field"),
    [
        (0, 3, "result_score"),
        (6, 3, "result_score"),
        (3, 0, "answer_score"),
        (3, 6, "answer_score"),
        ("x", 3, "result_score"),
        (None, 3, "result_score"),
    ],
)
def test_scores_outside_one_to_five_are_refused(world, result, answer, field):
    case = verified(world)
    with pytest.raises(ValidationError) as caught:
        vote_cast(case, token=case.access_token, result_score=result, answer_score=answer)
    assert field in caught.value.message_dict
    assert Vote.objects.count() == 0


def test_an_open_case_cannot_be_voted_on(world):
    case = world.advance(world.case(), CaseState.REPAIRED)
    with pytest.raises(ValidationError, match="__all__"):
        vote_cast(case, token=case.access_token, result_score=5, answer_score=5)
    assert Vote.objects.count() == 0


def test_a_change_is_a_new_row_and_the_newest_counts(world):
    case = verified(world)
    first = vote_cast(case, token=case.access_token, result_score=5, answer_score=5)
    second = vote_cast(case, token=case.access_token, result_score=2, answer_score=1)
    assert Vote.objects.filter(case=case).count() == 2
    assert second.prev_hash == first.hash
    rows = counted()
    assert len(rows) == 1 and (rows[0]["result_score"], rows[0]["answer_score"]) == (2, 1)


def test_the_vote_is_frozen_fourteen_days_after_the_closing(world):
    case = verified(world)
    vote_cast(case, token=case.access_token, result_score=3, answer_score=3)
    with clock.frozen_at(clock.now() + dt.timedelta(days=13, hours=23)):
        vote_cast(case, token=case.access_token, result_score=4, answer_score=4)
    with clock.frozen_at(clock.now() + dt.timedelta(days=14, minutes=1)):
        with pytest.raises(ValidationError, match="14"):
            vote_cast(case, token=case.access_token, result_score=1, answer_score=1)
    assert Vote.objects.filter(case=case).count() == 2
    assert counted()[0]["result_score"] == 4


def test_reopened_and_closed_again_the_latest_closing_counts(world):
    case = verified(world)
    vote_cast(case, token=case.access_token, result_score=5, answer_score=5)
    case = reopened_and_verified_again(world, case)
    # Closed again: the earlier closing's vote no longer counts until the citizen votes anew.
    assert counted() == []
    again = vote_cast(case, token=case.access_token, result_score=1, answer_score=2)
    rows = counted()
    assert len(rows) == 1 and rows[0]["closing_event_id"] == again.closing_event_id
    assert rows[0]["result_score"] == 1


def test_counted_votes_takes_closings_in_the_period(world):
    case = verified(world)
    vote = vote_cast(case, token=case.access_token, result_score=4, answer_score=4)
    closed_at = vote.closing_event.created_at
    assert list(counted_votes(closed_at, closed_at + dt.timedelta(seconds=1)))
    assert not list(
        counted_votes(closed_at + dt.timedelta(seconds=1), closed_at + dt.timedelta(days=1))
    )
    assert not list(counted_votes(closed_at - dt.timedelta(days=1), closed_at))


def test_counted_votes_name_nobody(world):
    case = verified(world)
    vote_cast(case, token=case.access_token, result_score=4, answer_score=4, source="10.0.0.1")
    (row,) = counted()
    assert set(row) == set(COUNTED_FIELDS)


def test_a_clerk_records_a_callers_vote_under_the_clerks_name(world):
    case = verified(world, channel="phone", actor=world.clerk)
    vote = vote_record_by_clerk(case, actor=world.clerk, result_score=3, answer_score=4)
    assert vote.recorded_by == world.clerk and vote.channel == "phone"
    assert counted()[0]["answer_score"] == 4


def test_a_clerk_cannot_vote_for_a_web_complaint(world):
    case = verified(world)
    with pytest.raises(ValidationError, match="'case'"):
        vote_record_by_clerk(case, actor=world.clerk, result_score=3, answer_score=4)
    assert Vote.objects.count() == 0


@pytest.mark.parametrize("who", ["officer", "inspector", "clerk_a2", "manager"])
def test_only_a_clerk_of_the_district_records_a_vote(world, who):
    case = verified(world, channel="phone", actor=world.clerk)
    with pytest.raises(PermissionDenied):
        vote_record_by_clerk(case, actor=world.users[who], result_score=3, answer_score=4)
    assert Vote.objects.count() == 0


def test_votes_are_append_only_through_the_orm(world):
    case = verified(world)
    vote = vote_cast(case, token=case.access_token, result_score=4, answer_score=4)
    with pytest.raises(PermissionError):
        vote.save()
    with pytest.raises(PermissionError):
        Vote.objects.filter(pk=vote.pk).update(result_score=1)
    with pytest.raises(PermissionError):
        Vote.objects.all().delete()
    assert Case.objects.filter(pk=case.pk).exists()
