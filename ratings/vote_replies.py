"""A chat reply is a vote: "5 4", "5,4", "5/4 спасибо" from the complainant's own conversation.

Registered with intake's claimers (`intake.claims`), so it is asked before a chat message joins a
complaint draft, in the normaliser's transaction with the sender's conversation locked. It takes
a message only when both hold:
- the conversation was asked to vote: a case it filed (its intake `Draft`, so only the original
  complainant's conversation, found by the sender's blind index) has a `VoteRequest` on the
  case's current closing; with several, the most recent closing is scored and the reply names
  its tracking code;
- the whole message is scores: two numbers and at most a short comment. "5 ям на улице Абая" or
  a long text after two numbers is complaint text and starts a draft as usual.
Two numbers that are not 1-5, or one number alone, get a reply saying how to answer (not while
the sender's draft waits for an answer of its own, e.g. a category number). Scores for a frozen
closing get "the vote is closed" for `CLOSED_REPLY_DAYS` more days; after that they are text.
The vote itself goes through `ratings.votes.vote_cast_by_reply`: the same chain and abuse checks
as the web form, the chat channel as the vote's channel, a change a new row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework import clock
from casework.crypto import blind_index
from casework.models import Case, CaseEvent
from intake.channels.base import Incoming
from intake.claims import Claim, claimer
from intake.language import language_of, supported
from intake.models import Conversation, Draft
from intake.normaliser import DRAFT_GAP
from ratings.models import VoteRequest
from ratings.votes import CHANGE_DAYS, closing_for_vote, vote_cast_by_reply, vote_frozen_at

# After a closing freezes, scores sent for it are answered "closed" this many days more.
CLOSED_REPLY_DAYS = 14
# A longer text after two numbers is taken for a complaint, not a comment.
REPLY_COMMENT_MAX = 300

_NUMBER = r"([0-9]{1,2})"
_BETWEEN = r"(\s*[,;/\\|:\-–—]\s*|\s+)"
_SCORES = re.compile(rf"^\s*{_NUMBER}{_BETWEEN}{_NUMBER}(?:[\s,.;:!?)]+(.*?))?\s*$", re.DOTALL)
_DASH = re.compile(r"[\-–—]")
_ONE_NUMBER = re.compile(r"^\s*[0-9]{1,2}\s*[.!]?\s*$")


@dataclass(frozen=True)
class Scores:
    result: int
    answer: int
    comment: str


# A message shaped like a vote whose numbers are not two scores from 1 to 5.
NOT_SCORES = "not-scores"


def reply_read(text: str) -> Scores | str | None:
    """The scores in a chat message; `NOT_SCORES` for a vote-shaped message that does not score
    ("5", "7 2"); None for anything else (complaint text)."""
    if _ONE_NUMBER.match(text):
        return NOT_SCORES
    match = _SCORES.match(text)
    if match is None:
        return None
    first, between, second, comment = match.group(1, 2, 3, 4)
    comment = (comment or "").strip()
    if comment and (_DASH.search(between) or len(comment) > REPLY_COMMENT_MAX):
        return None  # "2-3 ямы у школы": a complaint
    result, answer = int(first), int(second)
    if not (1 <= result <= 5 and 1 <= answer <= 5):
        return None if comment else NOT_SCORES  # "12 5 домов без света": a complaint
    return Scores(result, answer, comment)


@dataclass(frozen=True)
class Awaited:
    case: Case
    closing: CaseEvent

    @property
    def frozen(self) -> bool:
        return clock.now() > vote_frozen_at(self.closing)


def awaited_vote(conversation: Conversation) -> Awaited | None:
    """The most recent closing this conversation was asked to score, on a case it filed, while
    it is open or frozen less than `CLOSED_REPLY_DAYS` ago; None when no vote is awaited."""
    since = clock.now() - dt.timedelta(days=CHANGE_DAYS + CLOSED_REPLY_DAYS)
    own_cases = Draft.objects.filter(conversation=conversation, case__isnull=False).values("case")
    requests = (
        VoteRequest.objects.filter(case__in=own_cases, closing_event__created_at__gte=since)
        .select_related("case__category", "case__complainant", "closing_event")
        .order_by("-closing_event__created_at", "-closing_event_id")
    )
    for request in requests:
        closing = closing_for_vote(request.case)
        if closing is not None and closing.pk == request.closing_event_id:
            return Awaited(request.case, closing)
    return None  # each asked closing was undone by a reopening (or is too old)


def _draft_waits_for_answer(conversation: Conversation) -> bool:
    """The sender's draft asked a question ("which category? send its number") and this message
    (the conversation's latest) comes within the gap that would join it to that draft."""
    latest = conversation.last_inbound_at or timezone.now()
    return (
        Draft.objects.filter(
            conversation=conversation,
            status=Draft.Status.OPEN,
            last_message_at__gte=latest - DRAFT_GAP,
        )
        .exclude(awaiting="")
        .exists()
    )


def _source_key(conversation: Conversation) -> str:
    """The keyed digest of the chat a vote came from, for the abuse checks (many votes from one
    source); the sender key is itself a blind index, never the phone number or chat id."""
    return blind_index(f"chat:{conversation.channel}:{conversation.sender_key}")


@claimer("ratings.vote_reply")
def vote_reply_claim(conversation: Conversation, incoming: Incoming) -> Claim | None:
    if incoming.media or incoming.latitude is not None or not incoming.text.strip():
        return None
    scores = reply_read(incoming.text)
    if scores is None:
        return None
    awaited = awaited_vote(conversation)
    if awaited is None:
        return None
    language = supported(language_of(incoming.text)) or conversation.language
    code = awaited.case.tracking_code
    if awaited.frozen:
        if scores == NOT_SCORES:
            return None
        return Claim("vote-closed", reply=closed_text(language, code))
    if scores == NOT_SCORES:
        if _draft_waits_for_answer(conversation):
            return None
        return Claim("vote-not-scores", reply=how_to_text(language, code))
    try:
        vote = vote_cast_by_reply(
            awaited.case,
            closing_event_id=awaited.closing.pk,
            channel=conversation.channel,
            source_key=_source_key(conversation),
            result_score=scores.result,
            answer_score=scores.answer,
            comment=scores.comment,
        )
    except ValidationError:
        return Claim("vote-closed", reply=closed_text(language, code))
    return Claim(
        "vote-recorded",
        reply=recorded_text(
            language, code, vote.result_score, vote.answer_score, vote_frozen_at(awaited.closing)
        ),
    )


def _in(language: str):
    return translation.override(language or settings.LANGUAGE_CODE)


def recorded_text(language: str, code: str, result: int, answer: int, until: dt.datetime) -> str:
    with _in(language):
        return _(
            "Thank you: your scores for complaint %(code)s are recorded (the result %(result)d, "
            "the answer %(answer)d). To change them, send two new numbers by %(until)s."
        ) % {
            "code": code,
            "result": result,
            "answer": answer,
            "until": timezone.localtime(until).strftime("%d.%m.%Y"),
        }


def how_to_text(language: str, code: str) -> str:
    with _in(language):
        return _(
            "To score complaint %(code)s, send two numbers from 1 to 5 in one message: the "
            'result on the ground first, then the answer you got, e.g. "5 4". A comment may '
            "follow them."
        ) % {"code": code}


def closed_text(language: str, code: str) -> str:
    with _in(language):
        return _(
            "The vote on complaint %(code)s is closed: scores can be given or changed for "
            "%(days)d days after the decision."
        ) % {"code": code, "days": CHANGE_DAYS}
