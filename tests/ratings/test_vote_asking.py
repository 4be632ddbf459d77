"""Asking for a vote: when a case is verified or rejected its complainant is asked, once per
closing, on the channel they used (e-mail here; SMS to a caller when a gateway is configured;
a caller without one is recorded unreachable and a clerk records the vote from a call)."""

import pytest

from casework import services
from casework.models import OutboxJob
from ratings.models import VoteRequest
from ratings.votes import vote_url
from tests.intake.test_receipts_and_sms import gateway  # noqa: F401  (the SMS gateway fixture)
from tests.ratings.vote_helpers import (
    deliver_all,
    rejected,
    reopened_and_verified_again,
    verified,
)

pytestmark = pytest.mark.django_db

EMAIL = {"name": "Айгүл", "email": "aigul@example.kz", "language": "kk"}


def asks(mailoutbox) -> list:
    return [m for m in mailoutbox if vote_url_fragment() in m.body]


def vote_url_fragment() -> str:
    return "/ratings/vote/"


def test_a_verified_case_asks_its_complainant_by_email_with_the_vote_link(world, mailoutbox):
    case = verified(world, complainant=EMAIL)
    deliver_all()
    (message,) = asks(mailoutbox)
    assert message.to == ["aigul@example.kz"]
    assert vote_url(case) in message.body
    request = VoteRequest.objects.get(case=case)
    assert request.outcome == "sent:web" and request.closing_event.action == "verify"


def test_a_rejected_case_asks_too(world, mailoutbox):
    case = rejected(world, complainant=EMAIL)
    deliver_all()
    assert len(asks(mailoutbox)) == 1
    assert VoteRequest.objects.get(case=case).closing_event.action == "reject"


def test_only_closings_queue_a_request_and_only_once(world, mailoutbox):
    case = world.case(complainant=EMAIL)
    assert not OutboxJob.objects.filter(kind="ratings_vote_ask").exists()
    case = world.advance(case, "repaired")
    assert not OutboxJob.objects.filter(kind="ratings_vote_ask").exists()
    services.case_verify(case, actor=world.inspector)
    assert OutboxJob.objects.filter(kind="ratings_vote_ask").count() == 1
    deliver_all()
    deliver_all()
    from ratings.votes import vote_ask

    assert vote_ask(case, VoteRequest.objects.get().closing_event) is None
    assert len(asks(mailoutbox)) == 1 and VoteRequest.objects.count() == 1


def test_closed_again_after_a_reopening_asks_again(world, mailoutbox):
    case = verified(world, complainant=EMAIL)
    deliver_all()
    reopened_and_verified_again(world, case)
    deliver_all()
    assert len(asks(mailoutbox)) == 2
    assert VoteRequest.objects.filter(case=case).count() == 2


def test_a_caller_is_asked_by_sms_when_a_gateway_is_configured(world, gateway):  # noqa: F811
    case = verified(
        world, channel="phone", actor=world.clerk, complainant={"phone": "8 701 555 12 34"}
    )
    deliver_all()
    texts = [body["text"] for _path, _headers, body in gateway.received]
    asked = [t for t in texts if vote_url_fragment() in t]
    assert len(asked) == 1 and case.tracking_code in asked[0]
    assert [b["to"] for _p, _h, b in gateway.received if b["text"] == asked[0]] == ["+77015551234"]
    assert VoteRequest.objects.get(case=case).outcome == "sent:phone"


def test_a_caller_without_a_gateway_is_unreachable_and_left_to_the_clerk(world, monkeypatch):
    monkeypatch.delenv("SMS_GATEWAY_URL", raising=False)
    case = verified(
        world, channel="phone", actor=world.clerk, complainant={"phone": "8 701 555 12 34"}
    )
    deliver_all()
    assert VoteRequest.objects.get(case=case).outcome == "unreachable"


def test_a_case_in_a_category_that_is_not_public_is_not_asked(world, mailoutbox):
    world.pothole.public = False
    world.pothole.save()
    verified(world, complainant=EMAIL)
    deliver_all()
    assert not OutboxJob.objects.filter(kind="ratings_vote_ask").exists()
    assert asks(mailoutbox) == []
