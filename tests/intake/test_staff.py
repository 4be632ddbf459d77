import datetime as dt

import pytest
from django.utils import timezone

from casework.models import Case, CaseEvent
from intake.models import Conversation, Draft, InboundMessage

pytestmark = pytest.mark.django_db


def phone_form(world, **overrides):
    data = {
        "category": world.pothole.pk,
        "caller_name": "Бауыржан Ахметов",
        "caller_phone": "+77015550000",
        "caller_language": "kk",
        "title": "Яма у остановки",
        "description": "Звонящий сообщил о яме у остановки «Шанхай».",
        "address": "остановка «Шанхай»",
        "latitude": "",
        "longitude": "",
        "received_at": "",
    }
    data.update(overrides)
    return data


def test_a_clerk_records_a_call_for_the_caller(client, world):
    client.force_login(world.clerk)
    response = client.post("/intake/phone/", phone_form(world))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "phone" and case.district == world.a1
    assert case.complainant.name == "Бауыржан Ахметов" and case.complainant.language == "kk"
    assert CaseEvent.objects.get(case=case).actor == world.clerk
    page = client.get("/intake/phone/").content.decode()
    assert case.tracking_code in page


def test_an_anonymous_call_needs_the_tick(client, world):
    client.force_login(world.clerk)
    response = client.post("/intake/phone/", phone_form(world, caller_name="", caller_phone=""))
    assert response.status_code == 400 and not Case.objects.exists()
    response = client.post(
        "/intake/phone/", phone_form(world, caller_name="", caller_phone="", anonymous="on")
    )
    assert response.status_code == 302 and Case.objects.get().complainant is None


def test_a_call_in_the_future_is_refused(client, world):
    client.force_login(world.clerk)
    later = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/intake/phone/", phone_form(world, received_at=later))
    assert response.status_code == 400 and not Case.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "At most 4000 characters, please (this has 2000008)."),
        ("ru", "Не более 4000 символов (здесь 2000008)."),
        ("kk", "Ең көбі 4000 таңба (мұнда 2000008)."),
    ],
)
def test_a_description_over_the_limit_of_every_channel_is_refused(client, world, language, message):
    client.force_login(world.clerk)
    client.cookies["django_language"] = language
    response = client.post("/intake/phone/", phone_form(world, description="a" * 2_000_008))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_description_too_large_to_read_is_refused_with_the_bad_request_page(client, world):
    """2,000,008 Cyrillic letters are 12 MB once form-encoded: over the body limit."""
    client.force_login(world.clerk)
    client.cookies["django_language"] = "kk"
    response = client.post("/intake/phone/", phone_form(world, description="ж" * 2_000_008))
    assert response.status_code == 400
    assert "Ештеңе өзгертілген жоқ" in response.content.decode()
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_the_phone_form_takes_a_description_at_the_limit(client, world):
    client.force_login(world.clerk)
    response = client.post("/intake/phone/", phone_form(world, description="ж" * 4000))
    assert response.status_code == 302 and len(Case.objects.get().description) == 4000


def test_only_clerks_use_the_phone_form(client, world):
    client.force_login(world.officer)
    assert client.get("/intake/phone/").status_code == 403
    client.logout()
    assert client.get("/intake/phone/").status_code == 302  # to the login page


def test_the_errors_list_shows_malformed_and_stuck_messages(client, world, monkeypatch):
    # Messages and drafts placed nowhere yet are for the clerks of the default district's region.
    monkeypatch.setenv("INTAKE_DEFAULT_DISTRICT", world.a1.code)
    InboundMessage.objects.create(
        channel="whatsapp",
        external_id="body:abc",
        kind="malformed",
        raw_body=b"{",
        error="not JSON: Expecting property name",
        processed_at=timezone.now(),
    )
    stuck = InboundMessage.objects.create(
        channel="telegram",
        external_id="77",
        kind="message",
        raw_body=b"{}",
        received_at=timezone.now() - dt.timedelta(minutes=20),
    )
    InboundMessage.objects.create(
        channel="telegram",
        external_id="78",
        kind="message",
        raw_body=b"{}",
    )  # fresh: not an error yet
    conversation = Conversation.objects.create(channel="whatsapp", sender_key="p:1")
    Draft.objects.create(
        conversation=conversation,
        text="Фонарь не горит",
        last_message_at=timezone.now() - dt.timedelta(hours=2),
    )
    client.force_login(world.clerk)
    html = client.get("/intake/errors/").content.decode()
    assert "not JSON" in html and "body:abc" in html
    assert f"/intake/errors/{stuck.pk}/retry/" in html and ">78<" not in html
    assert "Фонарь не горит" in html


def test_a_clerk_sends_a_stuck_message_through_again(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setenv("INTAKE_DEFAULT_DISTRICT", world.a1.code)
    stuck = InboundMessage.objects.create(
        channel="telegram",
        external_id="79",
        kind="message",
        raw_body=b"[]",
        received_at=timezone.now() - dt.timedelta(minutes=20),
    )
    client.force_login(world.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/intake/errors/{stuck.pk}/retry/")
    assert response.status_code == 302
    stuck.refresh_from_db()
    assert stuck.processed_at is not None and stuck.error  # processed: the body is not an update


def test_only_clerks_see_intake_errors(client, world):
    client.force_login(world.contractor_user)
    assert client.get("/intake/errors/").status_code == 403


def test_admin_lists_intake_records_without_secrets(client, world):
    from django.contrib.auth import get_user_model

    from intake.services import open311_client_create

    _client, key = open311_client_create("city-app")
    InboundMessage.objects.create(
        channel="telegram", external_id="90", kind="event", raw_body=b'{"secret": "x"}'
    )
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.kz", "pw"))
    for name in ("districtarea", "open311client", "inboundmessage"):
        assert client.get(f"/admin/intake/{name}/").status_code == 200, name
    page = client.get("/admin/intake/open311client/").content.decode()
    assert "city-app" in page and key not in page
    message = InboundMessage.objects.get()
    detail = client.get(f"/admin/intake/inboundmessage/{message.pk}/change/")
    assert detail.status_code == 200 and "secret" not in detail.content.decode()
