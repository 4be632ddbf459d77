import pytest

from casework.models import Case
from intake.models import InboundMessage
from tests.intake.conftest import FB_VERIFY
from tests.intake.platforms import jpeg_bytes

pytestmark = pytest.mark.django_db


def event(mid: str, psid="24680", **message):
    return {
        "object": "page",
        "entry": [
            {
                "id": "PAGE",
                "time": 1767225600000,
                "messaging": [
                    {
                        "sender": {"id": psid},
                        "recipient": {"id": "PAGE"},
                        "timestamp": 1767225600000,
                        "message": {"mid": mid, **message},
                    }
                ],
            }
        ],
    }


def test_handshake(client, channels):
    ok = client.get(
        "/intake/facebook/",
        {"hub.mode": "subscribe", "hub.verify_token": FB_VERIFY, "hub.challenge": "CHALLENGE"},
    )
    bad = client.get(
        "/intake/facebook/",
        {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "CHALLENGE"},
    )
    assert ok.content == b"CHALLENGE" and bad.status_code == 403


def test_it_rejects_a_bad_signature(post_webhook, channels):
    response = post_webhook("facebook", event("m_1", text="Яма"), signature="sha256=00")
    assert response.status_code == 403 and not InboundMessage.objects.exists()


def test_text_image_and_location_make_a_case_and_the_reply_goes_by_send_api(post_webhook, channels):
    channels.state.fb_files["pothole.jpg"] = jpeg_bytes()
    channels.state.fb_profiles["24680"] = {"first_name": "Дана", "last_name": "Омарова"}
    post_webhook(
        "facebook",
        event(
            "m_a",
            text="Разбитый тротуар возле школы",
            attachments=[
                {"type": "image", "payload": {"url": f"{channels.base}/fb-cdn/pothole.jpg"}}
            ],
        ),
    )
    post_webhook(
        "facebook",
        event(
            "m_b",
            attachments=[
                {
                    "type": "location",
                    "title": "Pin",
                    "payload": {"coordinates": {"lat": 50.2839, "long": 57.1672}},
                }
            ],
        ),
    )
    case = Case.objects.get()
    assert case.channel == "facebook" and case.attachments.count() == 1
    assert case.complainant.name == "Дана Омарова"
    reply = channels.sent_to("facebook")[-1].body
    assert reply["recipient"] == {"id": "24680"} and reply["messaging_type"] == "RESPONSE"
    assert case.tracking_code in reply["message"]["text"]


def test_a_redelivered_mid_makes_one_message(post_webhook, channels):
    for _ in range(5):
        post_webhook("facebook", event("m_same", text="Яма"))
    assert InboundMessage.objects.filter(kind="message").count() == 1


def test_echoes_and_deliveries_are_stored_and_ignored(post_webhook, channels):
    post_webhook("facebook", event("m_echo", text="Our own reply", is_echo=True))
    delivery = event("m_x")
    delivery["entry"][0]["messaging"][0].pop("message")
    delivery["entry"][0]["messaging"][0]["delivery"] = {"mids": ["m_1"], "watermark": 1}
    post_webhook("facebook", delivery)
    assert set(InboundMessage.objects.values_list("kind", flat=True)) == {"event"}
    assert channels.state.sent == []
