"""A chat reply is a vote: the complainant answers the request to vote with "5 4" in the chat the
case came from, through the real webhooks (Telegram and WhatsApp). Only their conversation votes,
only while a vote is awaited; complaint text still starts a draft; bad scores are answered and
nothing is recorded."""
# ruff: noqa: F811  (the intake fixtures are imported by name, then taken as parameters)

import datetime as dt

import pytest
from django.utils import timezone

from casework import clock
from casework.models import Case
from casework.states import CaseState
from intake.models import Draft
from intake.placing import categories_numbered
from ratings.models import Vote, VoteRequest
from ratings.vote_chain import votes_verify
from ratings.vote_replies import closed_text, how_to_text, recorded_text, reply_read
from ratings.vote_selectors import vote_current
from ratings.votes import vote_frozen_at
from tests.intake.conftest import (  # noqa: F401  (the intake fixtures, by name)
    _own_rate_limit_counters,
    channels,
    platforms,
    post_webhook,
    wa_location,
    wa_text,
)
from tests.intake.test_telegram import update
from tests.ratings.vote_helpers import deliver_all

pytestmark = pytest.mark.django_db

CITIZEN = 5551234
STRANGER = 7770001
PLACE = {"latitude": 50.2851, "longitude": 57.1622}

_update_ids = iter(range(1000, 100000))


def telegram(post_webhook, text: str, chat_id: int = CITIZEN) -> None:
    post_webhook("telegram", update(next(_update_ids), chat_id=chat_id, text=text))


def telegram_sent(channels, chat_id: int = CITIZEN) -> list[str]:
    return [s.body["text"] for s in channels.sent_to("telegram") if s.body["chat_id"] == chat_id]


def closed_telegram_case(post_webhook, channels, world, text: str) -> Case:
    """A complaint told on Telegram, verified, and its complainant asked to vote."""
    telegram(post_webhook, text)
    post_webhook("telegram", update(next(_update_ids), chat_id=CITIZEN, location=PLACE))
    case = Case.objects.order_by("-pk").first()
    assert case is not None and case.channel == "telegram"
    case = world.advance(case, CaseState.VERIFIED)
    deliver_all()
    assert VoteRequest.objects.get(case=case).outcome == "sent:telegram"
    return case


@pytest.fixture
def case(post_webhook, channels, world) -> Case:
    return closed_telegram_case(post_webhook, channels, world, "Яма на дороге у школы №12")


def test_a_reply_votes_and_the_vote_is_in_the_chain_with_the_chat_channel(
    case, post_webhook, channels
):
    (ask,) = [t for t in telegram_sent(channels) if "/ratings/vote/" in t]
    assert case.tracking_code in ask and "5 4" in ask and f"?t={case.access_token}" in ask
    drafts = Draft.objects.count()
    telegram(post_webhook, "5 4 спасибо, быстро сделали")
    vote = Vote.objects.get()
    assert (vote.case, vote.result_score, vote.answer_score) == (case, 5, 4)
    assert vote.comment == "спасибо, быстро сделали" and vote.channel == "telegram"
    assert vote.closing_event == VoteRequest.objects.get(case=case).closing_event
    assert vote.source_key and vote.recorded_by is None
    assert votes_verify().ok and votes_verify().checked == 1
    assert Draft.objects.count() == drafts, "the reply started no complaint"
    assert telegram_sent(channels)[-1] == recorded_text(
        "ru", case.tracking_code, 5, 4, vote_frozen_at(vote.closing_event)
    )


def test_a_second_reply_within_14_days_changes_the_vote(case, post_webhook, channels):
    telegram(post_webhook, "5,4")
    with clock.frozen_at(clock.now() + dt.timedelta(days=13, hours=23)):
        telegram(post_webhook, "2/1 яма снова появилась")
    first, second = Vote.objects.order_by("pk")
    assert (first.result_score, first.answer_score) == (5, 4)
    current = vote_current(case.pk, second.closing_event_id)
    assert current == second and (second.result_score, second.answer_score) == (2, 1)
    assert second.prev_hash == first.hash and votes_verify().ok


def test_after_14_days_a_reply_is_refused_as_closed(case, post_webhook, channels):
    with clock.frozen_at(clock.now() + dt.timedelta(days=14, minutes=1)):
        telegram(post_webhook, "5 4")
    assert not Vote.objects.exists()
    assert telegram_sent(channels)[-1] == closed_text("ru", case.tracking_code)
    assert not Draft.objects.filter(status=Draft.Status.OPEN).exists()


def test_bad_scores_are_answered_how_to_vote_and_nothing_is_recorded(case, post_webhook, channels):
    drafts = Draft.objects.count()
    for text in ("7 2", "5", "0 3"):
        telegram(post_webhook, text)
        assert telegram_sent(channels)[-1] == how_to_text("ru", case.tracking_code), text
    assert not Vote.objects.exists() and Draft.objects.count() == drafts


def test_a_number_answering_the_bots_category_question_is_not_taken_for_a_vote(
    case, post_webhook, channels
):
    conversation = Draft.objects.get(case=case).conversation
    asking = Draft.objects.create(
        conversation=conversation,
        text="Сломана скамейка во дворе",
        awaiting="category",
        opened_at=timezone.now(),
        last_message_at=timezone.now(),
    )
    telegram(post_webhook, "1")
    asking.refresh_from_db()
    assert asking.category == categories_numbered()[0], "the number chose the category"
    assert not Vote.objects.exists()
    assert how_to_text("ru", case.tracking_code) not in telegram_sent(channels)


def test_a_strangers_scores_make_a_draft_not_a_vote(case, post_webhook, channels):
    telegram(post_webhook, "5 4", chat_id=STRANGER)
    assert not Vote.objects.exists()
    draft = Draft.objects.get(status=Draft.Status.OPEN)
    assert draft.text == "5 4" and draft.case is None
    assert case.tracking_code not in telegram_sent(channels, STRANGER)[-1]


def test_a_complaint_that_begins_with_a_number_makes_a_draft(case, post_webhook, channels):
    telegram(post_webhook, "5 ям на улице Абая, не проехать")
    assert not Vote.objects.exists()
    draft = Draft.objects.get(status=Draft.Status.OPEN)
    assert draft.text == "5 ям на улице Абая, не проехать"


def test_with_several_cases_the_latest_closing_is_scored_and_named(
    case, post_webhook, channels, world
):
    later = closed_telegram_case(post_webhook, channels, world, "Не горит фонарь во дворе")
    telegram(post_webhook, "4 3")
    vote = Vote.objects.get()
    assert vote.case == later
    reply = telegram_sent(channels)[-1]
    assert later.tracking_code in reply and case.tracking_code not in reply


def test_a_whatsapp_reply_votes_on_the_whatsapp_case(post_webhook, channels, world):
    post_webhook("whatsapp", wa_text("wamid.v1", "Разбитый тротуар у остановки Жастар"))
    post_webhook("whatsapp", wa_location("wamid.v2"))
    case = world.advance(Case.objects.get(), CaseState.VERIFIED)
    deliver_all()
    sent = [s.body["text"]["body"] for s in channels.sent_to("whatsapp")]
    (ask,) = [t for t in sent if "/ratings/vote/" in t]
    assert case.tracking_code in ask and "5 4" in ask
    post_webhook("whatsapp", wa_text("wamid.v3", "3, 5"))
    vote = Vote.objects.get()
    assert (vote.case, vote.channel, vote.result_score, vote.answer_score) == (
        case,
        "whatsapp",
        3,
        5,
    )
    assert case.tracking_code in channels.sent_to("whatsapp")[-1].body["text"]["body"]


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("5 4", (5, 4, "")),
        ("5/4 …", (5, 4, "…")),
        ("5 4 рахмет", (5, 4, "рахмет")),
        ("5-4", (5, 4, "")),
        ("2-3 ямы у школы", None),
        ("5 4-й подъезд, течёт крыша", None),
        ("12 5 домов без света", None),
        ("5 4 " + "очень длинный текст " * 20, None),
        ("Яма 5 4", None),
    ],
)
def test_only_two_scores_and_a_short_comment_read_as_a_vote(db, text, read):
    scores = reply_read(text)
    got = (scores.result, scores.answer, scores.comment) if scores else None
    assert got == read
