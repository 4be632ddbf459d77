"""Sending text to a citizen on the chat channel they wrote from.

One entry point, `conversation_send`, for replies to messages and for notices about a case; the
case senders registered with `casework.notices` find the conversation a case came from.
"""

from __future__ import annotations

import logging

from django.utils import translation

from casework.models import Case
from casework.notices import register_sender, state_label, tracking_url
from contractors.notices import register_contractor_sender
from intake import sms
from intake.channels import facebook, telegram, whatsapp
from intake.models import Conversation, Draft, StaffChat

log = logging.getLogger(__name__)


def conversation_send(
    conversation: Conversation, text: str, *, case: Case | None = None, state: str | None = None
) -> bool:
    """Deliver `text`; False when the channel is switched off or cannot reach the citizen now.
    Raises `intake.http.PlatformError` when the platform fails (the outbox job then retries).
    Outside WhatsApp's 24-hour window a template names the case and `state`, the state the
    message is about (the case's own when not given)."""
    channel = conversation.channel
    address = conversation.address or {}
    if channel == "whatsapp":
        if not whatsapp.enabled():
            return False
        if whatsapp.in_service_window(conversation.last_inbound_at):
            return whatsapp.send_text(address, text)
        if case is None:
            log.info("whatsapp %s: outside the 24-hour window, no case", conversation.pk)
            return False
        with translation.override(conversation.language):
            label = state_label(state or case.state)
        return whatsapp.send_template(
            address, conversation.language, [case.tracking_code, label, tracking_url(case)]
        )
    if channel == "telegram":
        return telegram.enabled() and telegram.send_text(address, text)
    if channel == "facebook":
        return facebook.enabled() and facebook.send_text(
            address, text, conversation.last_inbound_at
        )
    return False


def _case_sender(channel: str):
    def send(case: Case, text: str, *, state: str | None = None) -> bool:
        draft = Draft.objects.select_related("conversation").filter(case=case).first()
        if draft is None or draft.conversation.channel != channel:
            return False
        return conversation_send(draft.conversation, text, case=case, state=state)

    send.__name__ = f"{channel}_case_sender"
    return send


def staff_telegram_send(user, text: str) -> bool:
    """A notice to a staff member on Telegram; False when they have no chat with the bot or the
    channel is switched off."""
    if not telegram.enabled():
        return False
    chat = StaffChat.objects.filter(user=user, channel=StaffChat.Channel.TELEGRAM).first()
    return chat is not None and telegram.send_text({"chat_id": chat.chat_id}, text)


def senders_register() -> None:
    for channel in ("whatsapp", "telegram", "facebook"):
        register_sender(channel, _case_sender(channel))
    register_sender("phone", sms.phone_case_sender)
    register_contractor_sender("telegram", staff_telegram_send)
