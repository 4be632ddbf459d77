"""From stored chat messages to cases.

Runs after commit, as an outbox job per message. Messages from one sender within 30 minutes of
each other join one draft; when the draft has a description, a place and a category, `case_open`
runs and the citizen gets the tracking code. Otherwise the reply asks for what is missing.

Nothing slow happens under a lock: what comes from the platform (photos, a Messenger sender's
name) is fetched and checked first, with no row locked; then one short transaction with the
message and the sender's conversation locked folds it into the draft, so messages from one sender
never race each other there. (They are folded in the order their fetches finish: a photo still
downloading when a later message completes the draft starts the sender's next draft.) A message
already processed is left alone (the job may run twice).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from types import ModuleType

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from casework import outbox, services
from casework.crypto import sender_index
from casework.limits import DESCRIPTION_MAX_CHARS
from casework.models import Case
from casework.uploads import CheckedImage, image_check
from intake import conf, http, placing, replies
from intake.channels import facebook, telegram, whatsapp
from intake.channels.base import Incoming, Malformed
from intake.claims import message_claim
from intake.language import language_of, supported
from intake.models import Conversation, Draft, DraftPhoto, InboundMessage
from intake.senders import conversation_send

log = logging.getLogger(__name__)

CHANNELS: dict[str, ModuleType] = {"whatsapp": whatsapp, "telegram": telegram, "facebook": facebook}
DRAFT_GAP = dt.timedelta(minutes=30)
MAX_PHOTOS = 5
TITLE_MAX = 80


@outbox.handler("intake_message")
def intake_message_job(payload: dict) -> None:
    message_process(payload["message"])


@outbox.handler("intake_reply", queue=outbox.QUEUE_NOTIFY)
def intake_reply_job(payload: dict) -> None:
    conversation = Conversation.objects.filter(pk=payload["conversation"]).first()
    if conversation is None:
        return
    case = Case.objects.filter(pk=payload.get("case")).first() if payload.get("case") else None
    conversation_send(conversation, payload["text"], case=case, state=payload.get("state"))


def reply_queue(conversation: Conversation, text: str, case: Case | None = None) -> None:
    outbox.enqueue(
        "intake_reply",
        {
            "conversation": conversation.pk,
            "text": text,
            "case": case.pk if case else None,
            "state": case.state if case else None,  # what the reply is about, if it goes late
        },
    )


@dataclass
class Fetched:
    """What a message brought from the platform, fetched before any row is locked."""

    incoming: Incoming | None = None
    malformed: str = ""
    photos: list[CheckedImage | str] = field(default_factory=list)  # a photo, or why not
    profile_name: str = ""


def _fetch(message: InboundMessage) -> Fetched:
    if message.body_purged_at is not None:
        return Fetched(malformed="raw body purged")
    channel = CHANNELS[message.channel]
    try:
        incoming = channel.parse(bytes(message.raw_body), message.position)
    except Malformed as exc:
        return Fetched(malformed=str(exc))
    fetched = Fetched(incoming=incoming)
    for media in incoming.media[:MAX_PHOTOS]:
        fetched.photos.append(_photo_fetch(media, channel))
    if len(incoming.media) > MAX_PHOTOS:
        fetched.photos.append(f"photo ignored: a complaint takes at most {MAX_PHOTOS} photos")
    known = Conversation.objects.filter(
        channel=message.channel, sender_key=_sender_key(message, incoming)
    ).exists()
    if message.channel == "facebook" and not incoming.name and not known:
        fetched.profile_name = facebook.profile_name(incoming.sender_key)
    return fetched


def message_process(message_id: int) -> str:
    """Turn one stored message into draft content (and maybe a case). Returns what happened."""
    message = InboundMessage.objects.filter(pk=message_id).first()
    if message is None:
        return "missing"
    if message.processed_at is not None:
        return "already-processed"
    fetched = _fetch(message)  # slow (the platform's API): before any lock
    with transaction.atomic():
        message = InboundMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return "missing"
        if message.processed_at is not None:
            return "already-processed"
        if message.body_purged_at is not None:
            _finish(message, "raw body purged before it was processed")
            return "purged"
        if fetched.incoming is None:
            _finish(message, fetched.malformed)
            return "malformed"
        incoming = fetched.incoming
        conversation = _conversation(message, incoming, fetched.profile_name)
        language = supported(language_of(incoming.text)) or conversation.language
        # Claimers first, commands too: Telegram's /start <code> from a deep link is a claim.
        claim = message_claim(conversation, incoming)
        if claim is not None:
            if claim.reply:
                reply_queue(conversation, claim.reply)
            _finish(message)
            return claim.outcome
        if incoming.command:
            reply_queue(conversation, replies.greeting(language))
            _finish(message)
            return "command"
        draft = _draft(conversation, message.received_at)
        if language_of(incoming.text):
            draft.language = conversation.language = language
            conversation.save(update_fields=["language"])
        message.draft = draft
        outcome = _absorb(draft, conversation, incoming, message, fetched.photos)
        draft.save()
        _finish(message)
        return outcome


def _finish(message: InboundMessage, error: str = "") -> None:
    message.processed_at = timezone.now()
    if error:
        message.error = "; ".join(e for e in (message.error, error) if e)[:4000]
    message.save(update_fields=["processed_at", "error", "draft"])


def _sender_key(message: InboundMessage, incoming: Incoming) -> str:
    """The sender's blind index (never their phone number or platform id)."""
    if incoming.sender_key:
        return sender_index(message.channel, incoming.sender_key)
    return message.sender_key or sender_index(message.channel, "unknown")


def _conversation(message: InboundMessage, incoming: Incoming, profile_name: str) -> Conversation:
    conversation, created = Conversation.objects.get_or_create(
        channel=message.channel,
        sender_key=_sender_key(message, incoming),
        defaults={"language": supported(incoming.language_hint) or "ru"},
    )
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    conversation.address = {k: v for k, v in incoming.address.items() if v not in ("", None)}
    if incoming.name:
        conversation.name = incoming.name
    if incoming.phone:
        conversation.phone = incoming.phone
    if created and not conversation.name and profile_name:
        conversation.name = profile_name
    if conversation.last_inbound_at is None or message.received_at > conversation.last_inbound_at:
        conversation.last_inbound_at = message.received_at
    conversation.save()
    return conversation


def _draft(conversation: Conversation, at: dt.datetime) -> Draft:
    draft = (
        Draft.objects.select_for_update()
        .filter(conversation=conversation, status=Draft.Status.OPEN)
        .order_by("-last_message_at")
        .first()
    )
    if draft is not None and abs(at - draft.last_message_at) <= DRAFT_GAP:
        draft.last_message_at = max(draft.last_message_at, at)
        draft.opened_at = min(draft.opened_at, at)
        return draft
    return Draft.objects.create(
        conversation=conversation, language=conversation.language, opened_at=at, last_message_at=at
    )


def _absorb(
    draft: Draft,
    conversation: Conversation,
    incoming: Incoming,
    message: InboundMessage,
    photos: list[CheckedImage | str],
) -> str:
    language = draft.language
    text = incoming.text
    has_point = incoming.latitude is not None
    if text and draft.awaiting == "category":
        chosen = _numbered_choice(text)
        if chosen is not None:
            draft.category, draft.awaiting, text = chosen, "", ""
    elif text and draft.awaiting == "place" and not has_point and draft.text:
        draft.address, draft.awaiting, text = text[:500], "", ""
    if text:
        draft.text = "\n".join(part for part in (draft.text, text) if part)[:DESCRIPTION_MAX_CHARS]
    if has_point:
        draft.latitude, draft.longitude = incoming.latitude, incoming.longitude
        if incoming.place_text:
            draft.address = incoming.place_text[:500]
        if draft.awaiting == "place":
            draft.awaiting = ""
    photo_failed = False
    for photo in photos:
        error = photo if isinstance(photo, str) else _photo_store(draft, photo)
        if error:
            photo_failed = True
            _note(message, error)
    if photo_failed:
        reply_queue(conversation, replies.photo_failed(language))
    return _advance(draft, conversation, message)


def _numbered_choice(text: str):
    number = text.strip().rstrip(".")
    if not number.isdigit():
        return None
    options = placing.categories_numbered()
    index = int(number) - 1
    return options[index] if 0 <= index < len(options) else None


def _note(message: InboundMessage, error: str) -> None:
    message.error = "; ".join(e for e in (message.error, error) if e)[:4000]


def _photo_fetch(media, channel: ModuleType) -> CheckedImage | str:
    """Download and check one photo (no lock held): the photo, or why not."""
    max_bytes = conf.media_max_bytes()
    if media.size and media.size > max_bytes:
        return f"photo of {media.size} bytes is over the limit"
    try:
        content, _content_type = channel.download(media, max_bytes)
    except http.PlatformError as exc:
        return f"photo download failed: {exc}"[:1000]
    try:
        return image_check(SimpleUploadedFile("photo", content), field="photo")
    except ValidationError as exc:
        return "photo refused: " + " ".join(exc.messages)


def _photo_store(draft: Draft, checked: CheckedImage) -> str:
    """Keep one checked photo on the draft; the error text, or "" when it was stored."""
    if draft.photos.count() >= MAX_PHOTOS:
        return f"photo ignored: a complaint takes at most {MAX_PHOTOS} photos"
    DraftPhoto.objects.get_or_create(
        draft=draft,
        sha256=checked.sha256,
        defaults={"content": checked.content, "content_type": checked.content_type},
    )
    return ""


def _title(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    if len(first) <= TITLE_MAX:
        return first
    cut = first[:TITLE_MAX].rsplit(" ", 1)[0] or first[:TITLE_MAX]
    return cut.rstrip(" ,.;:") + "…"


def _advance(draft: Draft, conversation: Conversation, message: InboundMessage) -> str:
    """Open the case when the draft is complete; otherwise ask for what is missing."""
    language = draft.language
    has_text = bool(draft.text.strip())
    district = None
    if draft.latitude is not None:
        district = placing.district_at(draft.latitude, draft.longitude)
        if district is None:
            district = placing.default_district()
        if district is None:
            draft.latitude = draft.longitude = None
            draft.awaiting = "place"
            reply_queue(conversation, replies.place_unknown(language))
            return "place-unknown"
    elif draft.address:
        district = placing.default_district()
    draft.district = district  # whose clerks see it among unfinished complaints
    has_place = district is not None
    category = draft.category or (placing.category_named_in(draft.text) if has_text else None)
    category = category or placing.default_category()
    if not (has_text and has_place and category):
        numbered = None
        if has_text and has_place and category is None:
            numbered = list(enumerate(placing.categories_numbered(), start=1))
            draft.awaiting = "category"
        elif has_text and not has_place:
            draft.awaiting = "place"
        reply_queue(
            conversation,
            replies.still_needed(
                language, text=not has_text, place=not has_place, categories=numbered
            ),
        )
        return "draft"
    photos = [
        SimpleUploadedFile(f"photo-{p.pk}", bytes(p.content), content_type=p.content_type)
        for p in draft.photos.order_by("pk")
    ]
    try:
        case = services.case_open(
            title=_title(draft.text),
            description=draft.text,
            category=category,
            district=district,
            channel=conversation.channel,
            latitude=draft.latitude,
            longitude=draft.longitude,
            address=draft.address,
            complainant={
                "name": conversation.name,
                "phone": conversation.phone,
                "language": language,
            },
            photos=photos,
            received_at=draft.opened_at,
            payload={"intake_draft": draft.pk},
        )
    except ValidationError as exc:
        problems = exc.messages
        _note(message, "case not opened: " + " ".join(problems))
        reply_queue(conversation, replies.not_registered(language, problems))
        return "refused"
    draft.status, draft.case, draft.category, draft.awaiting = (
        Draft.Status.SUBMITTED,
        case,
        category,
        "",
    )
    draft.photos.all().delete()
    reply_queue(conversation, replies.case_opened(case, language), case)
    return "case-opened"
