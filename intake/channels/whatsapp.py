"""WhatsApp Cloud API: webhook verification, parsing, media download and replies.

Senders are keyed by the business-scoped user id (`contacts[].user_id`, `from_user_id`) when the
payload carries one, else by the phone number (`wa_id`, `from`): either may be missing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

from intake import conf, http
from intake.channels.base import (
    KIND_EVENT,
    KIND_MESSAGE,
    KIND_STATUS,
    Incoming,
    Item,
    Malformed,
    Media,
    as_dict,
    as_list,
    body_digest,
    coordinate,
    load_json,
    text_of,
)

CHANNEL = "whatsapp"
CONTENT_TYPES = {"text", "image", "location"}
SERVICE_WINDOW = dt.timedelta(hours=24)


def enabled() -> bool:
    return conf.whatsapp().enabled


def _messages(document: Any) -> list[tuple[dict, dict]]:
    """Every (message, value) pair of the body, in order: the position is an index here."""
    found = []
    for entry in as_list(as_dict(document).get("entry")):
        for change in as_list(as_dict(entry).get("changes")):
            value = as_dict(as_dict(change).get("value"))
            for message in as_list(value.get("messages")):
                found.append((as_dict(message), value))
    return found


def _sender(message: dict, value: dict) -> tuple[str, str, dict]:
    """(user id, phone, contact) of a message's sender."""
    contacts = [as_dict(c) for c in as_list(value.get("contacts"))]
    phone = text_of(message.get("from")) or ""
    user_id = text_of(message.get("from_user_id")) or ""
    contact = next(
        (
            c
            for c in contacts
            if (phone and str(c.get("wa_id", "")) == phone)
            or (user_id and str(c.get("user_id", "")) == user_id)
        ),
        contacts[0] if len(contacts) == 1 else {},
    )
    phone = phone or str(contact.get("wa_id") or "")
    user_id = user_id or str(contact.get("user_id") or "")
    return user_id, phone, contact


def _sender_key(user_id: str, phone: str) -> str:
    return f"u:{user_id}" if user_id else (f"p:{phone}" if phone else "")


def split(body: bytes) -> list[Item]:
    document = load_json(body)
    if not isinstance(document, dict) or document.get("object") != "whatsapp_business_account":
        raise Malformed("not a WhatsApp Business Account webhook")
    if not isinstance(document.get("entry"), list):
        raise Malformed("no entry list")
    items: list[Item] = []
    for position, (message, value) in enumerate(_messages(document)):
        external_id = text_of(message.get("id"), 255)
        if not external_id:
            raise Malformed(f"message {position} has no id")
        user_id, phone, _contact = _sender(message, value)
        kind = KIND_MESSAGE if message.get("type") in CONTENT_TYPES else KIND_EVENT
        items.append(Item(external_id, kind, _sender_key(user_id, phone), position))
    for entry in document["entry"]:
        for change in as_list(as_dict(entry).get("changes")):
            for status in as_list(as_dict(as_dict(change).get("value")).get("statuses")):
                status = as_dict(status)
                key = f"status:{status.get('id', '')}:{status.get('status', '')}"
                items.append(Item(key[:255], KIND_STATUS))
    if not items:
        items.append(Item(f"body:{body_digest(body)}", KIND_EVENT))
    return items


def parse(body: bytes, position: int) -> Incoming:
    pairs = _messages(load_json(body))
    if position >= len(pairs):
        raise Malformed(f"no message at position {position}")
    message, value = pairs[position]
    user_id, phone, contact = _sender(message, value)
    incoming = Incoming(
        sender_key=_sender_key(user_id, phone),
        address={"to": phone, "recipient": user_id},
        name=text_of(as_dict(contact.get("profile")).get("name"), 300),
        phone=f"+{phone}" if phone.isdigit() else phone,
    )
    kind = message.get("type")
    if kind == "text":
        incoming.text = text_of(as_dict(message.get("text")).get("body"))
    elif kind == "image":
        image = as_dict(message.get("image"))
        incoming.text = text_of(image.get("caption"))
        if image.get("id"):
            incoming.media.append(
                Media(ref=str(image["id"]), content_type=text_of(image.get("mime_type")))
            )
    elif kind == "location":
        location = as_dict(message.get("location"))
        incoming.latitude = coordinate(location.get("latitude"), -90, 90)
        incoming.longitude = coordinate(location.get("longitude"), -180, 180)
        if incoming.latitude is None or incoming.longitude is None:
            incoming.latitude = incoming.longitude = None
        incoming.place_text = ", ".join(
            part
            for part in (text_of(location.get("name"), 200), text_of(location.get("address"), 300))
            if part
        )
    return incoming


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {conf.whatsapp().access_token}"}


def _sha256_matches(expected: str, content: bytes) -> bool:
    if not expected:
        return True
    digest = hashlib.sha256(content)
    if expected.lower() == digest.hexdigest():
        return True
    try:
        return base64.b64decode(expected, validate=True) == digest.digest()
    except (binascii.Error, ValueError):
        return True  # a placeholder or an unknown encoding: the image check still applies


def download(media: Media, max_bytes: int) -> tuple[bytes, str]:
    """Media id -> media URL -> the file, with the access token on both calls."""
    settings = conf.whatsapp()
    info = http.call(
        "GET",
        f"{settings.api_base}/{media.ref}",
        params={"phone_number_id": settings.phone_number_id} if settings.phone_number_id else None,
        headers=_auth(),
    ).json()
    info = as_dict(info)
    size = str(info.get("file_size", ""))
    if size.isdigit() and int(size) > max_bytes:
        raise http.PlatformError(f"media of {size} bytes is over the limit", transient=False)
    url = text_of(info.get("url"), 2000)
    if not url:
        raise http.PlatformError("media info without a URL", transient=False)
    reply = http.call("GET", url, headers=_auth(), max_bytes=max_bytes)
    if not _sha256_matches(text_of(info.get("sha256"), 200), reply.content):
        raise http.PlatformError("downloaded media does not match its sha256", transient=True)
    return reply.content, text_of(info.get("mime_type")) or reply.content_type


def in_service_window(last_inbound_at: dt.datetime | None) -> bool:
    return bool(last_inbound_at and timezone.now() - last_inbound_at < SERVICE_WINDOW)


def _recipient(address: dict) -> dict[str, str]:
    if address.get("to"):
        return {"to": str(address["to"])}
    if address.get("recipient"):
        return {"recipient": str(address["recipient"])}
    return {}


def _message_send(address: dict, message: dict) -> bool:
    """POST one message of the Cloud API to the recipient of `address`; False when there is
    none. `message` is the part that differs by type ("type" and its object)."""
    recipient = _recipient(address)
    if not recipient:
        return False
    settings = conf.whatsapp()
    http.call(
        "POST",
        f"{settings.api_base}/{settings.phone_number_id}/messages",
        headers=_auth(),
        json_body={
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            **recipient,
            **message,
        },
    )
    return True


def send_text(address: dict, text: str) -> bool:
    return _message_send(
        address, {"type": "text", "text": {"preview_url": True, "body": text[:4096]}}
    )


def send_template(address: dict, language: str, parameters: list[str]) -> bool:
    """Outside the 24-hour service window only an approved template may be sent."""
    return _message_send(
        address,
        {
            "type": "template",
            "template": {
                "name": conf.whatsapp().template_name,
                "language": {"code": language},
                "components": [
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "text": p[:1000]} for p in parameters],
                    }
                ],
            },
        },
    )
