"""Abuse: many complaints from one phone, many votes from one address, many complaints filed
from one address, a burst of identical scores for one official are HELD out of `counted_votes`
(the only way citizens' scores reach the published figures) until staff release or reject them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casework import services
from casework.models import Case
from contractors.services import work_order_issue
from intake.views.complain import SESSION_KEY
from ratings.models import Vote, VoteHold, VoteHoldReview
from ratings.vote_abuse import hold_review
from ratings.vote_selectors import counted_votes
from ratings.votes import vote_cast
from tests.cache_keys import cache_clear_own
from tests.factories import image_upload
from tests.oversight.conftest import Posts
from tests.ratings.vote_helpers import deliver_all, verified

pytestmark = pytest.mark.django_db

EVER = (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC))


def counted() -> list[dict]:
    return list(counted_votes(*EVER))


def held_cases(reason: str) -> set[int]:
    return set(VoteHold.objects.filter(reason=reason).values_list("vote__case_id", flat=True))


def phone(n: int) -> dict:
    return {"name": "", "phone": f"+7701000{n:04d}"}


def cast(case: Case, result: int = 5, answer: int = 5, source: str = "") -> Vote:
    return vote_cast(
        case, token=case.access_token, result_score=result, answer_score=answer, source=source
    )


def quickly_verified(world, **kw) -> Case:
    """A case opened and driven to verified straight through the services."""
    case = world.case(**kw)
    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    work_order_issue(case.pk, actor=world.officer, contract=world.contract)
    services.case_report_repaired(
        case.pk,
        actor=world.contractor_user,
        before=[image_upload("b.jpg")],
        after=[image_upload("a.png", "PNG")],
    )
    services.case_verify(case.pk, actor=world.inspector)
    return Case.objects.get(pk=case.pk)


def quickly_rejected(world, **kw) -> Case:
    """A case opened and rejected by the clerk at triage: the cheapest closing asking a vote."""
    case = world.case(**kw)
    services.case_reject(
        case, actor=world.clerk, reason_code="no_violation", reason="Не нарушение."
    )
    return Case.objects.get(pk=case.pk)


def test_many_complaints_from_one_phone_hold_the_vote(world, settings):
    settings.VOTE_ABUSE_PHONE_COMPLAINTS = 3
    cases = [verified(world, complainant=phone(1)) for _ in range(2)]
    assert not VoteHold.objects.exists() and cast(cases[0]) and len(counted()) == 1
    cases.append(verified(world, complainant=phone(1)))
    vote = cast(cases[2], 4, 4)
    (hold,) = VoteHold.objects.filter(vote=vote)
    assert hold.reason == "phone_burst" and hold.detail == {"complaints": 3, "hours": 24}
    assert [row["case_id"] for row in counted()] == [cases[0].pk]


def test_many_votes_from_one_address_are_all_held(world, settings):
    settings.VOTE_ABUSE_SOURCE_VOTES = 3
    cases = [verified(world, complainant=phone(n)) for n in range(3)]
    cast(cases[0], source="10.1.1.1")
    cast(cases[1], source="10.1.1.1")
    cast(cases[2], source="10.9.9.9")
    assert len(counted()) == 3
    other = verified(world, complainant=phone(7))
    cast(other, source="10.1.1.1")
    assert held_cases("source_burst") == {cases[0].pk, cases[1].pk, other.pk}
    assert [row["case_id"] for row in counted()] == [cases[2].pk]
    # The address itself is never stored: only a keyed digest.
    assert not Vote.objects.filter(source_key__contains="10.1.1.1").exists()


def test_a_burst_of_identical_scores_for_one_official_is_held(world, settings):
    settings.VOTE_ABUSE_SCORE_VOTES = 3
    Posts(world)
    cases = [verified(world, complainant=phone(n)) for n in range(4)]
    deliver_all()  # the decisions are attributed to the inspector's post
    cast(cases[0], 1, 1)
    cast(cases[1], 1, 1)
    cast(cases[2], 3, 2)
    assert not VoteHold.objects.exists()
    cast(cases[3], 1, 1)
    assert held_cases("score_burst") == {cases[0].pk, cases[1].pk, cases[3].pk}
    assert [row["case_id"] for row in counted()] == [cases[2].pk]


def test_staff_release_or_reject_a_held_vote(world, settings):
    settings.VOTE_ABUSE_PHONE_COMPLAINTS = 2
    first, second = (verified(world, complainant=phone(1)) for _ in range(2))
    hold_one = VoteHold.objects.get(vote=cast(first, 4, 4))
    hold_two = VoteHold.objects.get(vote=cast(second, 2, 2))
    assert counted() == []
    review = hold_review(hold_one, actor=world.manager, decision="release", note="Соседи")
    assert review.reviewer == world.manager and review.decision == "release"
    assert [row["case_id"] for row in counted()] == [first.pk]
    hold_review(hold_two, actor=world.investigator, decision="reject", note="Накрутка")
    assert [row["case_id"] for row in counted()] == [first.pk]
    with pytest.raises(ValidationError, match="'hold'"):
        hold_review(hold_one, actor=world.manager, decision="reject", note="Передумал")
    assert VoteHoldReview.objects.count() == 2


@pytest.mark.parametrize(
    ("who", "decision", "note", "error"),
    [
        ("clerk", "release", "", PermissionDenied),
        ("inspector", "release", "", PermissionDenied),
        ("manager_b", "release", "", ValidationError),  # another region: no such hold for them
        ("manager", "approve", "", ValidationError),
        ("manager", "reject", "", ValidationError),  # a rejection says why
    ],
)
def test_bad_reviews_are_refused_and_nothing_written(world, settings, who, decision, note, error):
    settings.VOTE_ABUSE_PHONE_COMPLAINTS = 1
    case = verified(world, complainant=phone(1))
    hold = VoteHold.objects.get(vote=cast(case))
    with pytest.raises(error):
        hold_review(hold, actor=world.users[who], decision=decision, note=note)
    assert not VoteHoldReview.objects.exists() and counted() == []


def test_holds_are_append_only_through_the_orm(world, settings):
    settings.VOTE_ABUSE_PHONE_COMPLAINTS = 1
    hold = VoteHold.objects.get(vote=cast(verified(world, complainant=phone(1))))
    with pytest.raises(PermissionError):
        hold.save()
    with pytest.raises(PermissionError):
        VoteHold.objects.all().delete()


@pytest.mark.slow
def test_two_hundred_throw_away_complaints_voted_through_are_all_held(world, client):
    """200 complaints from a handful of numbers, all verified and voted 5/5 through the vote
    form: every vote is held, and the counted votes are exactly those from before."""
    Posts(world)
    honest = [quickly_verified(world, complainant=phone(100 + n)) for n in range(3)]
    for n, case in enumerate(honest):
        response = client.post(
            f"/ratings/vote/{case.tracking_code}/",
            {"t": case.access_token, "result_score": 2 + n, "answer_score": 3},
            REMOTE_ADDR=f"10.0.0.{n + 1}",
        )
        assert response.status_code == 302
    deliver_all()
    before = counted()
    assert len(before) == 3

    numbers = [phone(n) for n in range(5)]
    # Rejected at triage: a closing like a verification, at a fraction of its cost.
    junk = [quickly_rejected(world, complainant=numbers[n % 5]) for n in range(200)]
    deliver_all()
    for case in junk:
        response = client.post(
            f"/ratings/vote/{case.tracking_code}/",
            {"t": case.access_token, "result_score": 5, "answer_score": 5},
        )
        assert response.status_code == 302
    junk_votes = Vote.objects.filter(case__in=junk)
    assert junk_votes.count() == 200
    assert not junk_votes.exclude(holds__isnull=False).exists()
    assert counted() == before


def web_complaint(client, world, address: str, phone: str = "") -> Case:
    """A complaint filed through the web form from `address`, rejected at triage (a closing that
    asks for a vote, cheaply)."""
    response = client.post(
        "/complain/",
        {
            "category": world.pothole.pk,
            "district": world.a1.pk,
            "description": "Яма у дома 12",
            "latitude": "50.283900",
            "longitude": "57.167000",
            "phone": phone,
        },
        REMOTE_ADDR=address,
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=client.session[SESSION_KEY])
    services.case_reject(case, actor=world.clerk, reason_code="no_violation", reason="Нет.")
    return case


def vote_on_page(client, case: Case, address: str, score: int = 5) -> Vote:
    response = client.post(
        f"/ratings/vote/{case.tracking_code}/",
        {"t": case.access_token, "result_score": score, "answer_score": score},
        REMOTE_ADDR=address,
    )
    assert response.status_code == 302
    return Vote.objects.filter(case=case).latest("pk")


@pytest.fixture
def open_web_form(monkeypatch):
    """The web form's own per-address allowance out of the way: this is about what gets past it
    (a patient sender, or a carrier's address shared by many)."""
    monkeypatch.setenv("INTAKE_WEB_RATE", "1000/h")
    cache_clear_own()
    yield
    cache_clear_own()


@pytest.mark.slow
def test_thirty_web_complaints_from_one_address_hold_their_votes(world, client, open_web_form):
    """30 complaints from one address, with different phones or none, voted on from 30 other
    addresses: every vote is held for the complaints' address, and the counted votes (so the
    published figures) are exactly those from before."""
    honest = [web_complaint(client, world, f"10.0.0.{n}", phone(100 + n)["phone"]) for n in (1, 2)]
    for n, case in enumerate(honest):
        vote_on_page(client, case, f"10.0.1.{n}", score=2 + n)
    before = counted()
    assert len(before) == 2 and not VoteHold.objects.exists()

    junk = [
        web_complaint(client, world, "203.0.113.7", phone(n)["phone"] if n % 3 else "")
        for n in range(30)
    ]
    assert sum(case.complainant is None for case in junk) == 10
    for n, case in enumerate(junk):
        vote_on_page(client, case, f"198.51.{n // 200}.{n % 200 + 1}", score=1 + n % 5)
    assert held_cases("address_burst") == {case.pk for case in junk}
    assert set(VoteHold.objects.values_list("reason", flat=True)) == {"address_burst"}
    assert VoteHold.objects.filter(reason="address_burst").first().detail == {
        "complaints": 30,
        "hours": 24,
    }
    assert counted() == before


def test_complaints_below_the_address_limit_are_not_held_and_the_one_at_it_holds_all(
    world, client, settings, open_web_form
):
    settings.VOTE_ABUSE_ADDRESS_COMPLAINTS = 4
    near_miss = [web_complaint(client, world, "203.0.113.7") for _ in range(3)]
    for n, case in enumerate(near_miss):
        vote_on_page(client, case, f"198.51.100.{n + 1}", score=1 + n)
    assert not VoteHold.objects.exists() and len(counted()) == 3
    # Another address's complaint counts for its own address only.
    other = web_complaint(client, world, "203.0.113.8")
    vote_on_page(client, other, "198.51.100.50")
    assert not VoteHold.objects.exists() and len(counted()) == 4
    # The fourth from the address: its vote and the three earlier ones are all held.
    fourth = web_complaint(client, world, "203.0.113.7")
    vote_on_page(client, fourth, "198.51.100.60")
    assert held_cases("address_burst") == {case.pk for case in [*near_miss, fourth]}
    assert [row["case_id"] for row in counted()] == [other.pk]


def test_the_reviewers_page_names_the_address_burst_in_words(world, client, settings):
    settings.VOTE_ABUSE_ADDRESS_COMPLAINTS = 1
    from intake.services import filing_source_record

    case = quickly_rejected(world)
    filing_source_record(case, "203.0.113.7")
    cast(case)
    client.force_login(world.manager)
    client.cookies["django_language"] = "en"
    html = client.get("/staff/ratings/votes/holds/").content.decode()
    assert "Many complaints from one internet address in a short time" in html
    assert case.tracking_code in html and "203.0.113.7" not in html
