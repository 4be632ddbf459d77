"""Citizens' votes: asking the complainant, casting a vote, a clerk recording one from a call.

Only the case's original complainant votes: on the tracking page, proved by the case's access
token (the link they were given), by a chat reply from the conversation the case came from
(`ratings.vote_replies`), or by phone through a clerk, under the clerk's name. A vote
scores the case's latest closing (its latest verify or reject event); it can be changed for
`CHANGE_DAYS` after that closing (each change a new chained row, the newest counts), then it is
frozen. Every vote passes the abuse checks in the same transaction (`ratings.vote_abuse`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from casework import clock, notices
from casework.models import Case, CaseEvent
from casework.public import token_matches
from casework.roles import CLERK, user_roles
from casework.selectors import cases_visible_to
from casework.services import case_lock
from casework.states import CaseState, Channel
from intake.sources import address_key
from ratings.models import Vote, VoteRequest
from ratings.vote_abuse import vote_screen
from ratings.vote_chain import vote_append

log = logging.getLogger(__name__)

CLOSING_ACTIONS = ("verify", "reject")
CLOSED_BY_VOTABLE = (CaseState.VERIFIED, CaseState.REJECTED)
CHANGE_DAYS = 14
COMMENT_MAX = 2000
# Channels whose replies are read as votes (`ratings.vote_replies`): the ask says to reply.
REPLY_CHANNELS = (Channel.WHATSAPP, Channel.TELEGRAM, Channel.FACEBOOK)


def closing_for_vote(case: Case) -> CaseEvent | None:
    """The closing a vote on `case` scores now: its latest verify or reject event, while the case
    stands verified or rejected. None for an open case, a corruption report or a case in a
    category that is not public (never rated, not even counted)."""
    if case.state not in CLOSED_BY_VOTABLE:
        return None
    category = case.category
    if not category.public or category.corruption_report:
        return None
    return CaseEvent.objects.filter(case=case, action__in=CLOSING_ACTIONS).order_by("-seq").first()


def vote_frozen_at(closing: CaseEvent) -> dt.datetime:
    return closing.created_at + dt.timedelta(days=CHANGE_DAYS)


def vote_url(case: Case) -> str:
    """The tracking page's vote form for the holder of the case's link."""
    path = reverse("ratings:vote", args=[case.tracking_code])
    return f"{settings.SITE_URL}{path}?t={case.access_token}"


def _score(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 5 else None


def _checked(result_score: Any, answer_score: Any, comment: str | None) -> tuple[int, int, str]:
    errors: dict[str, str] = {}
    result = _score(result_score)
    answer = _score(answer_score)
    if result is None:
        errors["result_score"] = _("Give a score from 1 to 5.")
    if answer is None:
        errors["answer_score"] = _("Give a score from 1 to 5.")
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX:
        errors["comment"] = _("At most %(n)d characters, please.") % {"n": COMMENT_MAX}
    if errors:
        raise ValidationError(errors)
    return result, answer, text  # type: ignore[return-value]


def _open_closing(case: Case) -> CaseEvent:
    closing = closing_for_vote(case)
    if closing is None:
        raise ValidationError(
            {"__all__": _("This complaint is not closed, so there is nothing to score yet.")}
        )
    if clock.now() > vote_frozen_at(closing):
        raise ValidationError(
            {
                "__all__": _(
                    "Votes can be given or changed for %(days)d days after the decision; this "
                    "one is now final."
                )
                % {"days": CHANGE_DAYS}
            }
        )
    return closing


def _store(
    case: Case,
    closing: CaseEvent,
    *,
    result: int,
    answer: int,
    comment: str,
    channel: str,
    recorded_by=None,
    source_key: str = "",
) -> Vote:
    vote = vote_append(
        Vote(
            case=case,
            closing_event=closing,
            result_score=result,
            answer_score=answer,
            comment=comment,
            channel=channel,
            recorded_by=recorded_by,
            source_key=source_key,
            cast_at=clock.now(),
        )
    )
    vote_screen(vote, case=case)
    return vote


def source_key_for(address: str) -> str:
    """The keyed digest stored for a voter's client address (never the address itself): the same
    digest as a complaint filed from that address (`intake.sources.address_key`)."""
    return address_key(address)


def vote_cast(
    case: Case | int,
    *,
    token: str,
    result_score: Any,
    answer_score: Any,
    comment: str = "",
    channel: str = Channel.WEB,
    source: str = "",
) -> Vote:
    """The complainant, holding the case's link (`token`), scores its latest closing: the result
    on the ground and the answer, 1 to 5 each, with an optional comment. `source` is the client
    address (stored only as a keyed digest, for the abuse checks)."""
    result, answer, text = _checked(result_score, answer_score, comment)
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    with transaction.atomic():
        locked = case_lock(case)
        if not token_matches(locked, token):
            raise PermissionDenied(_("This link does not belong to this case."))
        closing = _open_closing(locked)
        return _store(
            locked,
            closing,
            result=result,
            answer=answer,
            comment=text,
            channel=channel,
            source_key=source_key_for(source),
        )


def vote_cast_by_reply(
    case: Case | int,
    *,
    closing_event_id: int,
    channel: str,
    source_key: str,
    result_score: Any,
    answer_score: Any,
    comment: str = "",
) -> Vote:
    """The complainant scores a closing by replying in the chat the case came from; the caller
    (`ratings.vote_replies`) has proved the conversation is the case's own. Refused unless
    `closing_event_id` is still the case's open closing (not reopened, not frozen since)."""
    result, answer, text = _checked(result_score, answer_score, comment)
    if channel not in REPLY_CHANNELS:
        raise ValidationError({"channel": _("Unknown channel.")})
    with transaction.atomic():
        locked = case_lock(case)
        closing = _open_closing(locked)
        if closing.pk != closing_event_id:
            raise ValidationError(
                {"__all__": _("This complaint was reopened; there is nothing to score yet.")}
            )
        return _store(
            locked,
            closing,
            result=result,
            answer=answer,
            comment=text,
            channel=channel,
            source_key=source_key,
        )


def vote_record_by_clerk(
    case: Case | int,
    *,
    actor,
    result_score: Any,
    answer_score: Any,
    comment: str = "",
) -> Vote:
    """A clerk records the vote a caller gave on the phone, under the clerk's name: for a case
    filed by phone, in the clerk's district."""
    result, answer, text = _checked(result_score, answer_score, comment)
    if CLERK not in user_roles(actor):
        raise PermissionDenied(_("Only a clerk records a vote from a call."))
    with transaction.atomic():
        locked = case_lock(case)
        if not cases_visible_to(actor).filter(pk=locked.pk).exists():
            raise PermissionDenied(_("This case is not in your district."))
        if locked.channel != Channel.PHONE:
            raise ValidationError(
                {
                    "case": _(
                        "Only a complaint taken by phone gets its vote by phone; the citizen "
                        "votes on the tracking page."
                    )
                }
            )
        closing = _open_closing(locked)
        return _store(
            locked,
            closing,
            result=result,
            answer=answer,
            comment=text,
            channel=Channel.PHONE,
            recorded_by=actor,
        )


def ask_text(case: Case, closing: CaseEvent) -> str:
    """The request to vote; on a chat channel it says to reply with the two scores, since the
    reply is read as a vote (`ratings.vote_replies`)."""
    language = (case.complainant.language if case.complainant else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        if case.channel in REPLY_CHANNELS:
            text = _(
                "Your complaint %(code)s is closed. Please score from 1 to 5 the result on the "
                "ground and the answer you got: reply with the two numbers, the result first, "
                'e.g. "5 4" (a comment may follow), or open the link. You can change your '
                "scores for %(days)d days: %(url)s"
            )
        else:
            text = _(
                "Your complaint %(code)s is closed. Please score from 1 to 5 the result on the "
                "ground and the answer you got (you can change your scores for %(days)d days): "
                "%(url)s"
            )
    return text % {"code": case.tracking_code, "days": CHANGE_DAYS, "url": vote_url(case)}


def vote_ask(case: Case | int, closing_event: CaseEvent | int) -> VoteRequest | None:
    """Ask the complainant to vote on one closing, on the channel they used (SMS for a caller
    when a gateway is configured; e-mail otherwise when they gave one). Once per closing; a
    closing already undone by a reopening, or not to be rated, is not asked about. A platform
    failure raises (`intake.http.PlatformError`), so the outbox job retries."""
    case_id = case.pk if isinstance(case, Case) else case
    event_id = closing_event.pk if isinstance(closing_event, CaseEvent) else closing_event
    if VoteRequest.objects.filter(closing_event_id=event_id).exists():
        return None
    case = Case.objects.select_related("complainant", "category").get(pk=case_id)
    closing = closing_for_vote(case)
    if closing is None or closing.pk != event_id:
        return None
    with translation.override(
        (case.complainant.language if case.complainant else "") or settings.LANGUAGE_CODE
    ):
        outcome = notices.citizen_send(case, ask_text(case, closing), state=closing.to_state)
    log.info("vote request for %s: %s", case.tracking_code, outcome)
    request, _created = VoteRequest.objects.get_or_create(
        closing_event=closing, defaults={"case": case, "outcome": outcome}
    )
    return request
