"""Telegram Bot API: webhook secret, updates, photos through getFile, replies with sendMessage."""

from __future__ import annotations

import hmac

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
    coordinate,
    load_json,
    text_of,
)

CHANNEL = "telegram"


def enabled() -> bool:
    return conf.telegram().enabled


def secret_valid(header: str, secret: str) -> bool:
    """X-Telegram-Bot-Api-Secret-Token against the secret set with setWebhook."""
    return bool(header) and hmac.compare_digest(header.encode(), secret.encode())


def _private_message(update: dict) -> dict | None:
    message = as_dict(update.get("message"))
    chat = as_dict(message.get("chat"))
    if not message or chat.get("type") != "private" or chat.get("id") is None:
        return None
    return message


def _has_content(message: dict) -> bool:
    document = as_dict(message.get("document"))
    return bool(
        message.get("text")
        or message.get("photo")
        or message.get("location")
        or message.get("caption")
        or str(document.get("mime_type", "")).startswith("image/")
    )


def split(body: bytes) -> list[Item]:
    update = load_json(body)
    if not isinstance(update, dict):
        raise Malformed("an update is a JSON object")
    update_id = update.get("update_id")
    if isinstance(update_id, bool) or not isinstance(update_id, int):
        raise Malformed("update_id missing or not an integer")
    message = _private_message(update)
    if message is None or not _has_content(message):
        return [Item(str(update_id), KIND_EVENT)]
    return [Item(str(update_id), KIND_MESSAGE, str(message["chat"]["id"]))]


def _best_photo(sizes: list, max_bytes: int) -> dict | None:
    fitting = [
        as_dict(s)
        for s in sizes
        if as_dict(s).get("file_id") and (as_dict(s).get("file_size") or 0) <= max_bytes
    ]
    if not fitting:
        return None
    return max(fitting, key=lambda s: (s.get("width") or 0) * (s.get("height") or 0))


def parse(body: bytes, position: int = 0) -> Incoming:
    update = load_json(body)
    message = _private_message(as_dict(update))
    if message is None:
        raise Malformed("not a private message")
    sender = as_dict(message.get("from"))
    parts = (text_of(sender.get("first_name")), text_of(sender.get("last_name")))
    name = " ".join(part for part in parts if part)
    incoming = Incoming(
        sender_key=str(message["chat"]["id"]),
        address={"chat_id": message["chat"]["id"]},
        name=name[:300],
        language_hint=text_of(sender.get("language_code"), 8),
    )
    text = text_of(message.get("text")) or text_of(message.get("caption"))
    if text.startswith("/"):
        word, _space, argument = text.partition(" ")
        incoming.command = word[1:].split("@")[0].lower()
        incoming.command_argument = argument.strip()[:200]
    else:
        incoming.text = text
    photo = _best_photo(as_list(message.get("photo")), conf.media_max_bytes())
    if photo is not None:
        incoming.media.append(Media(ref=str(photo["file_id"]), size=photo.get("file_size")))
    document = as_dict(message.get("document"))
    if str(document.get("mime_type", "")).startswith("image/") and document.get("file_id"):
        incoming.media.append(
            Media(
                ref=str(document["file_id"]),
                content_type=str(document["mime_type"]),
                size=document.get("file_size"),
            )
        )
    location = as_dict(message.get("location"))
    if location:
        latitude = coordinate(location.get("latitude"), -90, 90)
        longitude = coordinate(location.get("longitude"), -180, 180)
        if latitude is not None and longitude is not None:
            incoming.latitude, incoming.longitude = latitude, longitude
    return incoming


def _bot_url(method: str) -> str:
    settings = conf.telegram()
    return f"{settings.api_base}/bot{settings.bot_token}/{method}"


def download(media: Media, max_bytes: int) -> tuple[bytes, str]:
    reply = as_dict(http.call("GET", _bot_url("getFile"), params={"file_id": media.ref}).json())
    result = as_dict(reply.get("result"))
    path = text_of(result.get("file_path"), 500)
    if not reply.get("ok") or not path:
        raise http.PlatformError("getFile returned no file_path", transient=False)
    size = result.get("file_size")
    if isinstance(size, int) and size > max_bytes:
        raise http.PlatformError(f"file of {size} bytes is over the limit", transient=False)
    settings = conf.telegram()
    content = http.call(
        "GET", f"{settings.api_base}/file/bot{settings.bot_token}/{path}", max_bytes=max_bytes
    )
    return content.content, media.content_type or content.content_type


def send_text(address: dict, text: str) -> bool:
    chat_id = address.get("chat_id")
    if chat_id is None:
        return False
    reply = as_dict(
        http.call(
            "POST",
            _bot_url("sendMessage"),
            json_body={"chat_id": chat_id, "text": text[:4096], "link_preview_options": {}},
        ).json()
    )
    if not reply.get("ok"):
        raise http.PlatformError(f"sendMessage refused: {reply.get('description', '')}")
    return True
