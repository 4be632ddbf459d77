"""Messages to citizens, sent through the channel they used.

Each channel registers a sender here (`register_sender`); intake registers WhatsApp, Telegram and
Messenger. E-mail is built in. A case whose complainant cannot be reached (anonymous, no
sender) gets its notice recorded as undeliverable, not retried forever.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework import outbox
from casework.models import Case, CaseEvent
from casework.states import CaseState

log = logging.getLogger(__name__)


class CitizenSender(Protocol):
    def __call__(self, case: Case, text: str, *, state: str | None = None) -> bool:
        """Deliver `text` to the case's complainant; False when this channel cannot reach them.
        `state` is the case state the notice is about (a channel that must send a template
        instead of `text` names it), not necessarily the case's state by the time it is sent."""


_senders: dict[str, CitizenSender] = {}


def register_sender(channel: str, sender: CitizenSender) -> None:
    _senders[channel] = sender


def email_sender(case: Case, text: str, *, state: str | None = None) -> bool:
    person = case.complainant
    if person is None or not person.email:
        return False
    send_mail(
        subject=_("Your complaint %(code)s") % {"code": case.tracking_code},
        message=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[person.email],
    )
    return True


register_sender("email", email_sender)
register_sender("web", email_sender)


def tracking_url(case: Case) -> str:
    return f"{settings.SITE_URL}/track/{case.tracking_code}/?t={case.access_token}"


# A corruption report closed by an investigator: the notice carries the answer itself.
ANSWERED_ACTIONS = frozenset({"refer", "answer"})


def state_label(state: str) -> str:
    return str(CaseState(state).label)


def notice_text(case: Case, event: CaseEvent, notice: str) -> str:
    """The message for the citizen, in the language they wrote in, about what `event` did: its
    own state and deadline, not the case's by the time the notice goes out (a notice sent late,
    after a retry or behind a later change, still says what happened then)."""
    language = case.complainant.language if case.complainant else settings.LANGUAGE_CODE
    with translation.override(language):
        if notice == "deadline_extended":
            return _(
                "The answer to your complaint %(code)s is now due by %(due)s. Decision: %(reason)s "
                "Follow it here: %(url)s"
            ) % {
                "code": case.tracking_code,
                "due": timezone.localtime(_event_due_at(case, event)).strftime("%d.%m.%Y"),
                "reason": event.reason,
                "url": tracking_url(case),
            }
        if event.action in ANSWERED_ACTIONS:
            return _(
                "Your report %(code)s: %(state)s. Answer: %(answer)s Follow it here: %(url)s"
            ) % {
                "code": case.tracking_code,
                "state": state_label(event.to_state or case.state),
                "answer": event.reason,
                "url": tracking_url(case),
            }
        return _("Your complaint %(code)s: %(state)s. Follow it here: %(url)s") % {
            "code": case.tracking_code,
            "state": state_label(event.to_state or case.state),
            "url": tracking_url(case),
        }


def _event_due_at(case: Case, event: CaseEvent) -> dt.datetime:
    due = event.payload.get("due_at")
    return dt.datetime.fromisoformat(due) if due else case.due_at


def citizen_send(case: Case, text: str, *, state: str | None = None) -> str:
    """Try the case's own channel, then e-mail. Returns how it went."""
    for channel in (case.channel, "email"):
        sender = _senders.get(channel)
        if sender is not None and sender(case, text, state=state):
            return f"sent:{channel}"
    return "unreachable"


@outbox.handler("citizen_notice", queue=outbox.QUEUE_NOTIFY)
def citizen_notice(payload: dict) -> None:
    case = Case.objects.select_related("complainant").get(pk=payload["case"])
    event = CaseEvent.objects.get(pk=payload["event"])
    text = notice_text(case, event, payload.get("notice", "status"))
    outcome = citizen_send(case, text, state=event.to_state or None)
    log.info("citizen notice for %s: %s", case.tracking_code, outcome)
