"""What every chat channel provides, and the shapes its parsers return.

A channel module authenticates a webhook, splits its body into items to store (in the request),
later parses one stored item into an `Incoming` message (in the worker), downloads media and sends
text back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from casework.limits import DESCRIPTION_MAX_CHARS

KIND_MESSAGE = "message"
KIND_STATUS = "status"
KIND_EVENT = "event"
KIND_MALFORMED = "malformed"


# No platform nests its JSON more than about ten levels deep.
MAX_JSON_DEPTH = 64


class Malformed(Exception):
    """The body is not what the platform sends; stored with this message as its error."""


class TooDeep(Malformed):
    """JSON nested deeper than any platform sends: stored like any malformed body, but refused
    with 400, since no platform sent it."""


@dataclass(frozen=True)
class Item:
    """One thing to store from a webhook body."""

    external_id: str
    kind: str
    sender_key: str = ""
    position: int = 0
    error: str = ""


@dataclass(frozen=True)
class Media:
    """A platform reference to a photo: a media id, a Telegram file id or a URL."""

    ref: str
    content_type: str = ""
    size: int | None = None


@dataclass
class Incoming:
    """The content of one citizen message, whatever the channel."""

    sender_key: str
    address: dict[str, Any]
    name: str = ""
    phone: str = ""
    language_hint: str = ""
    text: str = ""
    media: list[Media] = field(default_factory=list)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    place_text: str = ""
    command: str = ""
    command_argument: str = ""  # what follows the command: Telegram's /start <deep-link code>


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def malformed_item(body: bytes, reason: str) -> Item:
    return Item(external_id=f"body:{body_digest(body)}", kind=KIND_MALFORMED, error=reason)


def load_json(body: bytes) -> Any:
    too_deep = TooDeep(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        document = json.loads(body.decode("utf-8"))
    except RecursionError:
        # The C decoder stops at the interpreter's recursion limit (about a thousand levels).
        raise too_deep from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise Malformed(f"not JSON: {exc}") from None
    if _deeper_than(document, MAX_JSON_DEPTH):
        raise too_deep
    return document


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (walked without recursion)."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def meta_signature_valid(body: bytes, header: str, secret: str) -> bool:
    """Meta's X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw body."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def coordinate(value: Any, low: int, high: int) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or not (low <= number <= high):
        return None
    return number.quantize(Decimal("0.000001"))


def text_of(value: Any, limit: int = DESCRIPTION_MAX_CHARS) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []
