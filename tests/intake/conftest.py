import copy
import hashlib
import hmac
import json
import uuid

import pytest
import yaml

from intake.models import DistrictArea
from tests.intake.platforms import PlatformServer
from tests.shared_fixtures import shared_fixture

WA_SECRET = "wa-app-secret"
WA_VERIFY = "wa-verify-token"
TG_SECRET = "tg-secret-token"
FB_SECRET = "fb-app-secret"
FB_VERIFY = "fb-verify-token"


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings):
    """Each test counts its requests apart from every other test's (and from anything else in
    the same Redis), without clearing a cache it did not fill."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:test-{uuid.uuid4().hex}:"


@pytest.fixture(scope="session")
def whatsapp_examples() -> dict[str, dict]:
    """Meta's official webhook examples, by their title."""
    path = shared_fixture("whatsapp", "business-messaging-api_v23.0.yaml")
    document = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    examples = document["paths"]["/whatsapp/webhooks"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]
    return {title: example["value"] for title, example in examples.items()}


@pytest.fixture
def wa_example(whatsapp_examples):
    def get(title: str) -> dict:
        return copy.deepcopy(whatsapp_examples[title])

    return get


@pytest.fixture
def platforms():
    server = PlatformServer().start()
    yield server
    server.stop()


@pytest.fixture
def channels(platforms, monkeypatch, world):
    """All three chat channels configured, their APIs served by the local platform server, and
    district A1 placed around Aktobe (and the fallback for points outside every area)."""
    for name, value in {
        **platforms.environment(),
        "WHATSAPP_VERIFY_TOKEN": WA_VERIFY,
        "WHATSAPP_APP_SECRET": WA_SECRET,
        "TELEGRAM_SECRET_TOKEN": TG_SECRET,
        "FACEBOOK_VERIFY_TOKEN": FB_VERIFY,
        "FACEBOOK_APP_SECRET": FB_SECRET,
        "INTAKE_DEFAULT_DISTRICT": world.a1.code,
        "INTAKE_DEFAULT_CATEGORY": world.pothole.code,
    }.items():
        monkeypatch.setenv(name, value)
    DistrictArea.objects.create(
        district=world.a1, latitude="50.283900", longitude="57.167000", radius_km=15
    )
    DistrictArea.objects.create(
        district=world.b1, latitude="42.900000", longitude="71.366700", radius_km=15
    )
    return platforms


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(payload) -> bytes:
    if isinstance(payload, bytes):
        return payload
    return json.dumps(payload, ensure_ascii=False).encode()


@pytest.fixture
def post_webhook(client, django_capture_on_commit_callbacks):
    """POST to a channel's webhook, signed as the platform signs, and run what follows commit."""

    def post(channel: str, payload, *, signature: str | None = None, headers=None):
        body = body_of(payload)
        extra = dict(headers or {})
        if channel == "whatsapp" and signature is None:
            extra["HTTP_X_HUB_SIGNATURE_256"] = sign(body, WA_SECRET)
        elif channel == "facebook" and signature is None:
            extra["HTTP_X_HUB_SIGNATURE_256"] = sign(body, FB_SECRET)
        elif channel == "telegram" and signature is None:
            extra["HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"] = TG_SECRET
        elif signature is not None:
            header = (
                "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"
                if channel == "telegram"
                else "HTTP_X_HUB_SIGNATURE_256"
            )
            extra[header] = signature
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/intake/{channel}/", body, content_type="application/json", **extra
            )

    return post


def wa_message(message: dict, *, name="Айгүл Сейтқали", wa_id="77011234567", user_id=None):
    """A WhatsApp webhook body carrying one message, shaped like Meta's examples."""
    contact = {"profile": {"name": name}}
    if wa_id:
        contact["wa_id"] = wa_id
        message.setdefault("from", wa_id)
    if user_id:
        contact["user_id"] = user_id
        message.setdefault("from_user_id", user_id)
    message.setdefault("timestamp", "1767225600")
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "419561257915477",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "77172000000",
                                "phone_number_id": "106540352242922",
                            },
                            "contacts": [contact],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


def wa_text(mid: str, body: str, **kw) -> dict:
    return wa_message({"id": mid, "type": "text", "text": {"body": body}}, **kw)


def wa_location(mid: str, lat=50.2841, lon=57.1675, **kw) -> dict:
    return wa_message(
        {"id": mid, "type": "location", "location": {"latitude": lat, "longitude": lon}}, **kw
    )


def wa_image(mid: str, media_id: str, caption: str | None = None, **kw) -> dict:
    image = {"id": media_id, "mime_type": "image/jpeg"}
    if caption:
        image["caption"] = caption
    return wa_message({"id": mid, "type": "image", "image": image}, **kw)
