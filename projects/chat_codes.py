"""Confirming a commenter through the WhatsApp or Telegram bot with a one-time code.

The project page asks for a code (`chat_code_issue`) and shows it, "P-482913", with links that
open the chat with the code typed in (`chat_links`). The citizen sends it; intake's normaliser
offers the message to `code_claim` (an intake claimer), which binds the code to that
conversation (channel and the sender's blind index, never a number) and answers in the
conversation's language. The browser that asked for the code, polling `chat_code_status`, then
calls `chat_code_finish` once with a display name and becomes the conversation's `Commenter`:
the same conversation later is the same commenter.

A message is a code only when it is nothing but one (the letter P, Latin or Cyrillic, and six
digits), so complaint text with numbers in it still becomes a draft. Codes that match nothing
are counted per conversation (`CODE_MISSES_PER_HOUR`), so nobody can try codes until one fits.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.crypto import index_key
from intake import conf
from intake.channels.base import Incoming
from intake.claims import Claim, claimer
from intake.models import Conversation
from projects.comments import CODE_TTL_MINUTES, display_name_checked
from projects.models import ChatCode, ChatCodeMiss, Commenter

CODE_PREFIX = "P-"
CODE_SHAPE = re.compile(r"^\s*[PpРр]\s*-?\s*(\d{6})\s*$")  # Latin or Cyrillic P
CODE_MISSES_PER_HOUR = 5
CHAT_CHANNELS = ("whatsapp", "telegram")


@dataclass(frozen=True)
class ChatLink:
    channel: str
    label: str
    url: str


def _digest(digits: str) -> str:
    return hmac.new(index_key(), f"chat-code:{digits}".encode(), "sha256").hexdigest()


def chat_links(code: str = "") -> list[ChatLink]:
    """Links that open each configured bot with `code` typed in; a channel whose webhook or
    public address is not set is left out."""
    links = []
    whatsapp = conf.whatsapp()
    if whatsapp.enabled and whatsapp.public_number:
        url = f"https://wa.me/{whatsapp.public_number}?text={quote(code)}"
        links.append(ChatLink("whatsapp", "WhatsApp", url))
    telegram = conf.telegram()
    if telegram.enabled and telegram.bot_username:
        url = f"https://t.me/{quote(telegram.bot_username)}?start={quote(code)}"
        links.append(ChatLink("telegram", "Telegram", url))
    return links


def chat_code_issue() -> tuple[ChatCode, str]:
    """A new code (the row and the text to show), valid for CODE_TTL_MINUTES."""
    now = timezone.now()
    for _attempt in range(5):
        digits = f"{secrets.randbelow(1_000_000):06d}"
        digest = _digest(digits)
        if not ChatCode.objects.filter(
            code_digest=digest, expires_at__gt=now, used_at__isnull=True
        ).exists():
            break
    row = ChatCode.objects.create(
        code_digest=digest, expires_at=now + timezone.timedelta(minutes=CODE_TTL_MINUTES)
    )
    return row, CODE_PREFIX + digits


def chat_code_status(code_id: int | None) -> str:
    """ "waiting" (not received yet), "received", "expired" (or used), or "none"; nothing else
    about the code or who sent it."""
    row = ChatCode.objects.filter(pk=code_id).first() if code_id else None
    if row is None:
        return "none"
    if row.used_at is not None or row.expires_at <= timezone.now():
        return "expired"
    return "received" if row.claimed_at is not None else "waiting"


def chat_code_finish(code_id: int | None, display_name: str) -> Commenter:
    """The commenter of the conversation that sent the code `code_id` (made or renamed); the
    code is then spent. ValidationError while it has not arrived, or when it expired."""
    display_name = display_name_checked(display_name)
    with transaction.atomic():
        row = (
            ChatCode.objects.select_for_update()
            .filter(pk=code_id, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
            if code_id
            else None
        )
        if row is None:
            raise ValidationError({"code": _("This code has expired. Ask for a new one.")})
        if row.claimed_at is None:
            raise ValidationError(
                {
                    "code": _(
                        "The bot has not received the code yet. Send it, then press the "
                        "button again."
                    )
                }
            )
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
        return _commenter_of(row, display_name)


def _commenter_of(row: ChatCode, display_name: str) -> Commenter:
    found = Commenter.objects.select_for_update().filter(
        chat_channel=row.channel, chat_sender_key=row.sender_key
    )
    commenter = found.first()
    if commenter is None:
        try:
            with transaction.atomic():
                return Commenter.objects.create(
                    chat_channel=row.channel,
                    chat_sender_key=row.sender_key,
                    display_name=display_name,
                    confirmed_at=row.used_at,
                )
        except IntegrityError:  # the same conversation, finished by a concurrent request
            commenter = found.get()
    if commenter.display_name != display_name:
        commenter.display_name = display_name
        commenter.save(update_fields=["display_name"])
    return commenter


def chat_codes_purge(*, older_than: timezone.timedelta = timezone.timedelta(days=1)) -> int:
    """Delete codes expired and misses counted more than `older_than` ago (they decide nothing
    any more); returns how many rows went."""
    cutoff = timezone.now() - older_than
    codes, _ = ChatCode.objects.filter(expires_at__lt=cutoff).delete()
    misses, _ = ChatCodeMiss.objects.filter(created_at__lt=cutoff).delete()
    return codes + misses


# The claimer: a code sent to the bot.


def _code_text(incoming: Incoming) -> str:
    if incoming.command:
        return incoming.command_argument if incoming.command == "start" else ""
    return incoming.text


def _in(conversation: Conversation, build) -> str:
    with translation.override(conversation.language or "ru"):
        return build()


@claimer("projects-chat-code")
def code_claim(conversation: Conversation, incoming: Incoming) -> Claim | None:
    """Take a message that is nothing but a code; bind a waiting code to this conversation."""
    if conversation.channel not in CHAT_CHANNELS or incoming.media:
        return None
    shape = CODE_SHAPE.match(_code_text(incoming))
    if shape is None:
        return None
    sender = {"channel": conversation.channel, "sender_key": conversation.sender_key}
    now = timezone.now()
    misses = ChatCodeMiss.objects.filter(
        **sender, created_at__gt=now - timezone.timedelta(hours=1)
    ).count()
    if misses >= CODE_MISSES_PER_HOUR:
        return Claim(
            "chat-code-refused",
            _in(conversation, lambda: _("Too many wrong codes. Try again in an hour.")),
        )
    row = (
        ChatCode.objects.select_for_update()
        .filter(code_digest=_digest(shape.group(1)), expires_at__gt=now, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if row is not None and row.claimed_at is None:
        row.claimed_at, row.channel, row.sender_key = now, sender["channel"], sender["sender_key"]
        row.save(update_fields=["claimed_at", "channel", "sender_key"])
    elif row is None or (row.channel, row.sender_key) != (
        sender["channel"],
        sender["sender_key"],
    ):
        # Unknown, expired, or already sent from another conversation: the same answer.
        ChatCodeMiss.objects.create(**sender)
        return Claim(
            "chat-code-unknown",
            _in(
                conversation,
                lambda: _(
                    "This code is unknown or has expired. Ask for a new one on the project page."
                ),
            ),
        )
    return Claim(
        "chat-code-accepted",
        _in(
            conversation,
            lambda: _("The code is accepted. Go back to the project page to finish."),
        ),
    )
