"""Apps above intake may take a chat message before it joins a complaint draft."""

import pytest

from intake import claims
from intake.models import Draft, InboundMessage
from tests.intake.test_telegram import update

pytestmark = pytest.mark.django_db


@pytest.fixture
def code_claimer():
    seen = []

    def claim_code(conversation, incoming):
        seen.append(conversation.pk)
        if incoming.text.strip() == "482913":
            return claims.Claim("code-confirmed", reply="Код принят")
        return None

    claims.claimer("test-code")(claim_code)
    yield seen
    claims._claimers.pop("test-code", None)


def test_a_claimed_message_makes_no_draft_and_gets_the_claimers_reply(
    post_webhook, channels, code_claimer
):
    post_webhook("telegram", update(300, text="482913"))
    message = InboundMessage.objects.get()
    assert message.processed_at is not None and message.draft is None and not message.error
    assert not Draft.objects.exists()
    assert channels.sent_to("telegram")[-1].body["text"] == "Код принят"
    assert code_claimer, "the claimer was asked"


def test_a_message_no_claimer_wants_joins_a_draft(post_webhook, channels, code_claimer):
    post_webhook("telegram", update(301, text="Яма на дороге у школы"))
    message = InboundMessage.objects.get()
    assert message.draft is not None and code_claimer


def test_a_claimer_that_fails_leaves_the_message_to_be_retried(post_webhook, channels):
    def broken(conversation, incoming):
        raise RuntimeError("the votes table is locked")

    claims.claimer("test-broken")(broken)
    try:
        post_webhook("telegram", update(302, text="5 4"))
    except RuntimeError:
        pass  # the outbox may run the job inline in tests
    finally:
        claims._claimers.pop("test-broken", None)
    message = InboundMessage.objects.get()
    assert message.processed_at is None and not Draft.objects.exists()


def test_a_command_is_offered_to_claimers_with_its_argument_first(post_webhook, channels):
    seen = []

    def claim_start(conversation, incoming):
        seen.append((incoming.command, incoming.command_argument, incoming.text))
        if incoming.command == "start" and incoming.command_argument == "ref-482913":
            return claims.Claim("code-confirmed", reply="Код принят")
        return None

    claims.claimer("test-start")(claim_start)
    try:
        post_webhook("telegram", update(303, text="/start ref-482913"))  # a t.me deep link
        post_webhook("telegram", update(304, text="/start"))
    finally:
        claims._claimers.pop("test-start", None)
    assert seen == [("start", "ref-482913", ""), ("start", "", "")]
    replies = [sent.body["text"] for sent in channels.sent_to("telegram")]
    assert replies[0] == "Код принят"
    assert replies[1] != "Код принят"  # an unclaimed command still gets the greeting
    assert not Draft.objects.exists()
