"""Meta's own webhook examples (../shared/fixtures/whatsapp): every one is accepted; text, image
and location feed complaints; the rest are stored and ignored."""

import pytest

from casework.models import Case
from intake.models import Draft, InboundMessage
from tests.intake.platforms import jpeg_bytes

pytestmark = pytest.mark.django_db

CONTENT = {
    "Text Message",
    "Text Message with Context (Product Inquiry)",
    "Text Message from Click to WhatsApp Ad",
    "Image Message",
    "Location Message",
}


def test_there_are_sixteen_examples(whatsapp_examples):
    assert len(whatsapp_examples) == 16


def test_every_example_is_accepted_without_error(post_webhook, channels, whatsapp_examples):
    channels.state.wa_media["1003383421387256"] = (jpeg_bytes(), "image/jpeg")
    for title, payload in whatsapp_examples.items():
        response = post_webhook("whatsapp", payload)
        assert response.status_code == 200, title
    errors = list(InboundMessage.objects.exclude(error="").values_list("external_id", "error"))
    assert errors == []
    assert not InboundMessage.objects.filter(processed_at__isnull=True).exists()


def test_examples_that_are_not_content_are_stored_and_ignored(
    post_webhook, channels, whatsapp_examples
):
    for title, payload in whatsapp_examples.items():
        if title not in CONTENT:
            post_webhook("whatsapp", payload)
    assert InboundMessage.objects.count() >= 1
    assert set(InboundMessage.objects.values_list("kind", flat=True)) <= {"event", "status"}
    assert not Draft.objects.exists() and not Case.objects.exists()
    assert channels.state.sent == []


def test_the_text_example_and_the_location_example_make_a_case(post_webhook, channels, wa_example):
    post_webhook("whatsapp", wa_example("Text Message"))
    post_webhook("whatsapp", wa_example("Location Message"))
    case = Case.objects.get()
    assert case.description == "Does it come in another color?"
    assert case.address == "Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301"
    # Palo Alto is in no district area: the configured default district takes it.
    assert case.district.code == "A1" and str(case.longitude) == "-122.161659"
    assert case.complainant.name == "Sheena Nelson" and case.complainant.phone == "+16505551234"
    assert case.tracking_code in channels.sent_to("whatsapp")[-1].body["text"]["body"]


def test_the_image_example_and_the_location_example_make_a_case_with_the_photo(
    post_webhook, channels, wa_example
):
    channels.state.wa_media["1003383421387256"] = (jpeg_bytes(), "image/jpeg")
    post_webhook("whatsapp", wa_example("Image Message"))
    post_webhook("whatsapp", wa_example("Location Message"))
    case = Case.objects.get()
    assert case.description == "Taj Mahal"
    assert case.attachments.count() == 1


def test_an_example_with_a_business_scoped_id_and_no_phone_is_accepted(
    post_webhook, channels, wa_example
):
    text, location = wa_example("Text Message"), wa_example("Location Message")
    for payload in (text, location):
        value = payload["entry"][0]["changes"][0]["value"]
        value["contacts"][0].pop("wa_id")
        value["contacts"][0]["user_id"] = "US.13491208655302741918"
        message = value["messages"][0]
        message.pop("from")
        message["from_user_id"] = "US.13491208655302741918"
    post_webhook("whatsapp", text)
    post_webhook("whatsapp", location)
    case = Case.objects.get()
    assert case.complainant.phone == "" and case.complainant.name == "Sheena Nelson"
    assert channels.sent_to("whatsapp")[-1].body["recipient"] == "US.13491208655302741918"


def test_a_delivery_status_is_stored_and_ignored(post_webhook, channels):
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "1", "phone_number_id": "2"},
                            "statuses": [
                                {
                                    "id": "wamid.out.1",
                                    "status": "delivered",
                                    "timestamp": "1767225600",
                                    "recipient_id": "77011234567",
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    assert post_webhook("whatsapp", payload).status_code == 200
    message = InboundMessage.objects.get()
    assert message.kind == "status" and message.processed_at and message.error == ""


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account"}',
        b"\xff\xfe",
    ],
    ids=["not-json", "wrong-object", "no-entries", "not-utf8"],
)
def test_a_malformed_body_is_stored_with_its_error_and_answered_200(post_webhook, channels, body):
    assert post_webhook("whatsapp", body).status_code == 200
    message = InboundMessage.objects.get()
    assert message.kind == "malformed" and message.error and bytes(message.raw_body) == body
