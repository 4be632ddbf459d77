"""Signed webhooks whose JSON nests 2,000 levels deep: once a 500 with nothing stored. Sent
through config.wsgi.application (the webhooks' production stack, PostgreSQL's one-statement
store on PostgreSQL), one test per channel, each a real platform body with one field nested."""

import json

import pytest

from intake.channels.base import MAX_JSON_DEPTH
from intake.models import InboundMessage
from tests.intake.conftest import FB_SECRET, TG_SECRET, WA_SECRET, sign
from tests.intake.test_facebook import event
from tests.intake.test_lean_webhook_stack import call
from tests.intake.test_telegram import update

pytestmark = pytest.mark.django_db(transaction=True)

DEPTH = 2_000


def nested(depth: int) -> str:
    """A JSON value `depth` levels deep: objects and lists in turn, a string at the bottom."""
    opening = "".join('{"a":' if level % 2 else "[" for level in range(depth))
    closing = "".join("}" if level % 2 else "]" for level in reversed(range(depth)))
    return opening + '"дно"' + closing


def with_nested(document: dict, path: list[str], depth: int) -> bytes:
    """`document` as the platform sends it, with the value at `path` replaced by a deep one."""
    marker = "@@deep@@"
    target = document
    for key in path[:-1]:
        target = target[key] if isinstance(target, dict) else target[int(key)]
    target[path[-1]] = marker
    text = json.dumps(document, ensure_ascii=False)
    return text.replace(json.dumps(marker), nested(depth)).encode()


# Where the deep value goes in each platform's body. The containers on the way (the document
# itself and every step but the last) are len(path) levels above it.
PATHS = {
    "whatsapp": ["entry", "0", "changes", "0", "value", "context"],
    "telegram": ["message", "reply_markup"],
    "facebook": ["entry", "0", "messaging", "0", "x"],
}


def whatsapp_body(wa_example, depth: int) -> tuple[bytes, dict]:
    body = with_nested(wa_example("Text Message"), PATHS["whatsapp"], depth)
    return body, {"X-Hub-Signature-256": sign(body, WA_SECRET)}


def telegram_body(depth: int) -> tuple[bytes, dict]:
    body = with_nested(update(7001, text="Яма"), PATHS["telegram"], depth)
    return body, {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}


def facebook_body(depth: int) -> tuple[bytes, dict]:
    body = with_nested(event("m_deep", text="Яма"), PATHS["facebook"], depth)
    return body, {"X-Hub-Signature-256": sign(body, FB_SECRET)}


def bodies(wa_example, depth: int) -> dict[str, tuple[bytes, dict]]:
    return {
        "whatsapp": whatsapp_body(wa_example, depth),
        "telegram": telegram_body(depth),
        "facebook": facebook_body(depth),
    }


@pytest.mark.parametrize("channel", ["whatsapp", "telegram", "facebook"])
def test_a_signed_body_nested_2000_deep_is_refused_with_400_and_kept(channels, wa_example, channel):
    body, headers = bodies(wa_example, DEPTH)[channel]
    answer = call(f"/intake/{channel}/", "POST", body, **headers)
    assert answer["status"] == 400, answer
    assert "nested" in json.loads(answer["body"])["error"]
    kept = InboundMessage.objects.get()
    assert kept.channel == channel and kept.kind == InboundMessage.Kind.MALFORMED
    assert bytes(kept.raw_body) == body
    assert f"more than {MAX_JSON_DEPTH} levels" in kept.error
    assert kept.processed_at is not None  # nothing for the pipeline to do
    again = call(f"/intake/{channel}/", "POST", body, **headers)
    assert again["status"] == 400 and InboundMessage.objects.count() == 1


@pytest.mark.parametrize("channel", ["whatsapp", "telegram", "facebook"])
def test_nesting_just_past_the_limit_is_refused_and_at_the_limit_taken(
    channels, wa_example, channel
):
    """Deep enough to pass Python's own decoder, so only our depth check refuses it."""
    deep = MAX_JSON_DEPTH - len(PATHS[channel]) + 1
    body, headers = bodies(wa_example, deep)[channel]
    assert call(f"/intake/{channel}/", "POST", body, **headers)["status"] == 400
    body, headers = bodies(wa_example, deep - 1)[channel]
    assert call(f"/intake/{channel}/", "POST", body, **headers)["status"] == 200


def test_the_refused_body_is_listed_in_the_intake_errors(client, world, channels, wa_example):
    body, headers = whatsapp_body(wa_example, DEPTH)
    call("/intake/whatsapp/", "POST", body, **headers)
    client.force_login(world.clerk)
    page = client.get("/intake/errors/").content.decode()
    assert f"JSON nested more than {MAX_JSON_DEPTH} levels deep" in page


def test_an_unsigned_deep_body_is_403_and_not_stored(channels, wa_example):
    body, _headers = whatsapp_body(wa_example, DEPTH)
    answer = call("/intake/whatsapp/", "POST", body, **{"X-Hub-Signature-256": "sha256=00"})
    assert answer["status"] == 403 and not InboundMessage.objects.exists()
