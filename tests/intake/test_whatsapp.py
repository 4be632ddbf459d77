import datetime as dt

import pytest
from django.utils import timezone, translation

from casework.models import Case
from casework.notices import citizen_send
from intake.models import Conversation, Draft, InboundMessage
from tests.intake.conftest import (
    WA_SECRET,
    WA_VERIFY,
    body_of,
    sign,
    wa_image,
    wa_location,
    wa_text,
)
from tests.intake.platforms import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_handshake_echoes_the_challenge_for_the_right_token(client, channels):
    response = client.get(
        "/intake/whatsapp/",
        {"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200 and response.content == b"1158201444"


def test_handshake_refuses_a_wrong_token(client, channels):
    response = client.get(
        "/intake/whatsapp/",
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"},
    )
    assert response.status_code == 403 and b"1158201444" not in response.content


def test_handshake_without_challenge_is_400(client, channels):
    response = client.get("/intake/whatsapp/", {"hub.verify_token": WA_VERIFY})
    assert response.status_code == 400


def test_unconfigured_channel_answers_404_and_stores_nothing(client, db, monkeypatch):
    monkeypatch.delenv("WHATSAPP_APP_SECRET", raising=False)
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "set-but-no-secret")
    body = body_of(wa_text("wamid.1", "Яма"))
    response = client.post(
        "/intake/whatsapp/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign(body, ""),
    )
    assert response.status_code == 404
    assert not InboundMessage.objects.exists()


def test_it_accepts_a_good_signature(post_webhook, channels):
    response = post_webhook("whatsapp", wa_text("wamid.good", "Яма у дома 5"))
    assert response.status_code == 200
    assert InboundMessage.objects.get().external_id == "wamid.good"


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("sha256=" + "0" * 64, id="bad"),
        pytest.param("", id="missing"),
        pytest.param("sha1=abc", id="wrong-scheme"),
    ],
)
def test_it_rejects_a_bad_signature_and_stores_nothing(post_webhook, channels, signature):
    response = post_webhook("whatsapp", wa_text("wamid.bad", "Яма"), signature=signature)
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_it_rejects_a_body_changed_after_signing(post_webhook, channels):
    signed = body_of(wa_text("wamid.x", "Яма у дома 5"))
    changed = signed.replace("дома 5".encode(), "дома 7".encode())
    response = post_webhook("whatsapp", changed, signature=sign(signed, WA_SECRET))
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_text_then_location_open_one_case_and_the_reply_carries_the_code(post_webhook, channels):
    post_webhook("whatsapp", wa_text("wamid.t1", "Глубокая яма на дороге у дома 12"))
    assert not Case.objects.exists()
    asked = channels.sent_to("whatsapp")[-1].body
    assert asked["to"] == "77011234567" and "местоположение" in asked["text"]["body"]

    post_webhook("whatsapp", wa_location("wamid.l1"))
    case = Case.objects.get()
    assert case.channel == "whatsapp" and case.district.code == "A1"
    assert case.description == "Глубокая яма на дороге у дома 12"
    assert str(case.latitude) == "50.284100"
    assert case.complainant.name == "Айгүл Сейтқали" and case.complainant.phone == "+77011234567"
    reply = channels.sent_to("whatsapp")[-1].body["text"]["body"]
    assert case.tracking_code in reply and f"/track/{case.tracking_code}/?t=" in reply
    assert "зарегистрирована" in reply
    assert Draft.objects.get().case == case


def test_the_reply_is_in_kazakh_when_the_citizen_writes_kazakh(post_webhook, channels):
    post_webhook("whatsapp", wa_text("wamid.k1", "Көшеде үлкен шұңқыр бар, жөндеу керек"))
    post_webhook("whatsapp", wa_location("wamid.k2"))
    case = Case.objects.get()
    reply = channels.sent_to("whatsapp")[-1].body["text"]["body"]
    assert case.tracking_code in reply and "тіркелді" in reply
    assert case.complainant.language == "kk"


def test_a_photo_is_fetched_by_media_id_with_the_token(post_webhook, channels):
    channels.state.wa_media["9001"] = (jpeg_bytes(), "image/jpeg")
    post_webhook("whatsapp", wa_image("wamid.i1", "9001", caption="Провал асфальта"))
    post_webhook("whatsapp", wa_location("wamid.i2"))
    case = Case.objects.get()
    photo = case.attachments.get()
    assert photo.kind == "complaint" and photo.content_type == "image/jpeg"
    assert case.description == "Провал асфальта"
    assert (
        "GET /wa/v23.0/9001" in channels.state.calls and "GET /wa-cdn/9001" in channels.state.calls
    )


def test_a_failing_media_server_is_retried(post_webhook, channels):
    channels.state.wa_media["9002"] = (jpeg_bytes(), "image/jpeg")
    channels.state.failures["/wa-cdn/9002"] = 2
    post_webhook("whatsapp", wa_image("wamid.r1", "9002", caption="Яма"))
    message = InboundMessage.objects.get()
    assert message.error == "" and message.draft.photos.count() == 1


def test_a_photo_that_cannot_be_had_is_reported_to_staff_and_the_citizen(post_webhook, channels):
    post_webhook("whatsapp", wa_image("wamid.r2", "missing-media", caption="Яма"))
    message = InboundMessage.objects.get()
    assert "photo download failed" in message.error and message.processed_at
    texts = [s.body["text"]["body"] for s in channels.sent_to("whatsapp")]
    assert any("фото" in t for t in texts)


def test_something_that_is_not_a_photo_is_refused(post_webhook, channels):
    channels.state.wa_media["9003"] = (b"%PDF-1.4 not an image", "image/jpeg")
    post_webhook("whatsapp", wa_image("wamid.r3", "9003", caption="Яма"))
    assert "photo refused" in InboundMessage.objects.get().error


def test_redelivering_a_message_five_times_makes_one_case(post_webhook, channels):
    post_webhook("whatsapp", wa_text("wamid.d1", "Яма на дороге"))
    for _ in range(5):
        assert post_webhook("whatsapp", wa_location("wamid.d2")).status_code == 200
    assert InboundMessage.objects.count() == 2
    assert Case.objects.count() == 1
    assert len(channels.sent_to("whatsapp")) == 2  # one answer per distinct message


def test_a_sender_known_only_by_business_scoped_id_is_answered_by_it(post_webhook, channels):
    post_webhook("whatsapp", wa_text("wamid.b1", "Яма", wa_id=None, user_id="KZ.1349120865530"))
    post_webhook("whatsapp", wa_location("wamid.b2", wa_id=None, user_id="KZ.1349120865530"))
    case = Case.objects.get()
    sent = channels.sent_to("whatsapp")[-1].body
    assert sent["recipient"] == "KZ.1349120865530" and "to" not in sent
    assert case.tracking_code in sent["text"]["body"]


def test_messages_more_than_30_minutes_apart_start_a_new_draft(post_webhook, channels):
    post_webhook("whatsapp", wa_text("wamid.o1", "Яма на дороге"))
    InboundMessage.objects.update(received_at=timezone.now() - dt.timedelta(minutes=31))
    Draft.objects.update(last_message_at=timezone.now() - dt.timedelta(minutes=31))
    post_webhook("whatsapp", wa_location("wamid.o2"))
    assert not Case.objects.exists()
    assert Draft.objects.count() == 2


def test_an_address_typed_after_the_question_places_the_complaint(post_webhook, channels):
    post_webhook("whatsapp", wa_text("wamid.a1", "Не горит фонарь во дворе"))
    post_webhook("whatsapp", wa_text("wamid.a2", "ул. Маресьева 14"))
    case = Case.objects.get()
    assert case.address == "ул. Маресьева 14" and case.latitude is None
    assert case.description == "Не горит фонарь во дворе"


def test_outside_the_24_hour_window_a_notice_goes_as_a_template(post_webhook, channels):
    post_webhook("whatsapp", wa_text("wamid.w1", "Яма на дороге"))
    post_webhook("whatsapp", wa_location("wamid.w2"))
    case = Case.objects.get()
    Conversation.objects.update(last_inbound_at=timezone.now() - dt.timedelta(hours=25))
    assert citizen_send(case, "Ваша жалоба: назначена") == "sent:whatsapp"
    template = channels.sent_to("whatsapp")[-1].body
    assert template["type"] == "template"
    assert template["template"]["language"]["code"] == "ru"
    params = [p["text"] for p in template["template"]["components"][0]["parameters"]]
    assert params[0] == case.tracking_code


def test_a_late_template_names_the_state_its_notice_is_about(post_webhook, channels, world):
    from casework import services
    from casework.notices import state_label

    post_webhook("whatsapp", wa_text("wamid.s1", "Яма на дороге"))
    post_webhook("whatsapp", wa_location("wamid.s2"))
    case = Case.objects.get()
    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    Conversation.objects.update(last_inbound_at=timezone.now() - dt.timedelta(hours=25))
    # The notice of the case's opening goes out only now, with the case already assigned.
    assert citizen_send(case, "Ваша жалоба принята", state="received") == "sent:whatsapp"
    template = channels.sent_to("whatsapp")[-1].body
    params = [p["text"] for p in template["template"]["components"][0]["parameters"]]
    with translation.override("ru"):
        assert params[1] == state_label("received") != state_label("assigned")
