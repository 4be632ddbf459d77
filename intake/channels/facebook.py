"""Facebook Messenger (Send API and webhooks of a Page)."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from intake import conf, http
from intake.channels.base import (
    KIND_EVENT,
    KIND_MESSAGE,
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

CHANNEL = "facebook"
STANDARD_WINDOW = dt.timedelta(hours=24)


def enabled() -> bool:
    return conf.facebook().enabled


def _events(document: dict) -> list[dict]:
    return [
        as_dict(event)
        for entry in as_list(document.get("entry"))
        for event in as_list(as_dict(entry).get("messaging"))
    ]


def _usable(event: dict) -> bool:
    message = as_dict(event.get("message"))
    if not message or message.get("is_echo") or not message.get("mid"):
        return False
    kinds = {as_dict(a).get("type") for a in as_list(message.get("attachments"))}
    return bool(message.get("text") or kinds & {"image", "location"})


def split(body: bytes) -> list[Item]:
    document = load_json(body)
    if not isinstance(document, dict) or document.get("object") != "page":
        raise Malformed("not a Page webhook")
    if not isinstance(document.get("entry"), list):
        raise Malformed("no entry list")
    items = []
    for position, event in enumerate(_events(document)):
        sender = str(as_dict(event.get("sender")).get("id", ""))
        if _usable(event):
            items.append(Item(str(event["message"]["mid"])[:255], KIND_MESSAGE, sender, position))
        else:
            canonical = json.dumps(event, sort_keys=True).encode()
            items.append(Item(f"event:{body_digest(canonical)}", KIND_EVENT, sender, position))
    if not items:
        items.append(Item(f"body:{body_digest(body)}", KIND_EVENT))
    return items


def parse(body: bytes, position: int) -> Incoming:
    events = _events(as_dict(load_json(body)))
    if position >= len(events):
        raise Malformed(f"no event at position {position}")
    event = events[position]
    psid = str(as_dict(event.get("sender")).get("id", ""))
    if not psid:
        raise Malformed("event without a sender id")
    message = as_dict(event.get("message"))
    incoming = Incoming(sender_key=psid, address={"psid": psid}, text=text_of(message.get("text")))
    for attachment in as_list(message.get("attachments")):
        attachment = as_dict(attachment)
        payload = as_dict(attachment.get("payload"))
        if attachment.get("type") == "image" and payload.get("url"):
            incoming.media.append(Media(ref=str(payload["url"])))
        elif attachment.get("type") == "location":
            point = as_dict(payload.get("coordinates"))
            latitude = coordinate(point.get("lat"), -90, 90)
            longitude = coordinate(point.get("long"), -180, 180)
            if latitude is not None and longitude is not None:
                incoming.latitude, incoming.longitude = latitude, longitude
                incoming.place_text = text_of(attachment.get("title"), 300)
    return incoming


def _token() -> dict[str, str]:
    return {"access_token": conf.facebook().page_token}


def profile_name(psid: str) -> str:
    """The sender's name from the Graph API; empty when the page may not read it."""
    try:
        reply = as_dict(
            http.call(
                "GET",
                f"{conf.facebook().api_base}/{psid}",
                params={"fields": "first_name,last_name", **_token()},
                retries=1,
            ).json()
        )
    except (http.PlatformError, ValueError):
        return ""
    return " ".join(
        p for p in (text_of(reply.get("first_name")), text_of(reply.get("last_name"))) if p
    )[:300]


def download(media: Media, max_bytes: int) -> tuple[bytes, str]:
    reply = http.call("GET", media.ref, max_bytes=max_bytes)
    return reply.content, reply.content_type


def send_text(address: dict, text: str, last_inbound_at: dt.datetime | None) -> bool:
    psid = address.get("psid")
    if not psid:
        return False
    within = bool(last_inbound_at and timezone.now() - last_inbound_at < STANDARD_WINDOW)
    # Outside the standard window only tagged, non-promotional updates are allowed.
    kind = (
        {"messaging_type": "RESPONSE"}
        if within
        else {
            "messaging_type": "MESSAGE_TAG",
            "tag": "ACCOUNT_UPDATE",
        }
    )
    http.call(
        "POST",
        f"{conf.facebook().api_base}/me/messages",
        params=_token(),
        json_body={"recipient": {"id": psid}, **kind, "message": {"text": text[:2000]}},
    )
    return True
