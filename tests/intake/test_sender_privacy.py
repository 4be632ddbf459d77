"""Chat senders' phone numbers, ids and names never sit in clear in the database; raw bodies are
purged after the retention period; the admin shows a sender only through a logged reveal."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from casework.crypto import sender_index
from intake.models import Conversation, Draft, InboundMessage, SenderReveal
from intake.services import raw_messages_purge
from tests.intake.conftest import wa_location, wa_text
from tests.intake.test_telegram import update

pytestmark = pytest.mark.django_db

PHONE = "77011234567"
REASON = "Проверка жалобы гражданина на потерянное сообщение"


def columns(table: str, names: str) -> list[str]:
    """Every value of the named columns, as the database holds them (no model decoding)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {table}")
        return [str(value) for row in cursor.fetchall() for value in row]


def test_no_column_but_the_raw_body_holds_a_whatsapp_senders_phone(post_webhook, channels):
    post_webhook("whatsapp", wa_text("wamid.p1", "Глубокая яма на дороге у дома 12"))
    stored = columns("intake_inboundmessage", "sender_key, external_id, headers, error")
    stored += columns("intake_conversation", "sender_key, address, name, phone")
    assert stored and not [value for value in stored if PHONE in value or "Айгүл" in value]
    # What is stored is the blind index, and the conversation reads back its address.
    message = InboundMessage.objects.get()
    assert message.sender_key == sender_index("whatsapp", f"p:{PHONE}")
    conversation = Conversation.objects.get()
    assert conversation.address["to"] == PHONE and conversation.phone == f"+{PHONE}"


def test_the_same_sender_finds_their_conversation_again(post_webhook, channels):
    post_webhook("whatsapp", wa_text("wamid.s1", "Глубокая яма на дороге у дома 12"))
    post_webhook("whatsapp", wa_location("wamid.s2"))
    assert Conversation.objects.count() == 1 and Draft.objects.count() == 1
    assert Draft.objects.get().case is not None  # text and place joined one draft
    # The replies went to the phone number kept encrypted.
    assert {sent.body["to"] for sent in channels.sent_to("whatsapp")} == {PHONE}
    # A Telegram chat's id is sealed the same way and found again.
    post_webhook("telegram", update(701, chat_id=9990001, text="Яма у подъезда"))
    post_webhook("telegram", update(702, chat_id=9990001, text="Очень глубокая"))
    telegram = Conversation.objects.get(channel="telegram")
    assert "9990001" not in columns("intake_conversation", "sender_key, address")
    assert telegram.address == {"chat_id": 9990001}
    assert Draft.objects.filter(conversation=telegram).count() == 1


def test_the_purge_empties_old_raw_bodies_only(post_webhook, channels, settings):
    settings.RAW_MESSAGE_RETENTION_DAYS = 90
    post_webhook("whatsapp", wa_text("wamid.old", "Старая жалоба про яму"))
    post_webhook("whatsapp", wa_text("wamid.new", "Новая жалоба про яму"))
    now = timezone.now()
    InboundMessage.objects.filter(external_id="wamid.old").update(
        received_at=now - dt.timedelta(days=91)
    )
    InboundMessage.objects.filter(external_id="wamid.new").update(
        received_at=now - dt.timedelta(days=89)
    )
    assert raw_messages_purge(now=now, batch=1) == 1
    old = InboundMessage.objects.get(external_id="wamid.old")
    new = InboundMessage.objects.get(external_id="wamid.new")
    assert bytes(old.raw_body) == b"" and old.headers == {} and old.body_purged_at is not None
    assert PHONE in new.body_text() and new.body_purged_at is None
    assert old.draft_id is not None and old.processed_at is not None  # what was derived stays
    assert raw_messages_purge(now=now) == 0  # nothing twice


def test_the_purge_runs_from_the_one_beat_schedule():
    from config.celery import app

    entries = [e for e in app.conf.beat_schedule.values() if "raw_messages_purge" in e["task"]]
    assert [e["task"] for e in entries] == ["intake.tasks.raw_messages_purge"]
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert "intake.tasks.raw_messages_purge" in app.tasks


def test_the_admin_shows_a_sender_only_through_a_logged_reveal(
    client, post_webhook, channels, admin_user
):
    post_webhook("whatsapp", wa_text("wamid.a1", "Глубокая яма на дороге у дома 12"))
    message = InboundMessage.objects.get()
    client.force_login(admin_user)
    page = client.get(f"/admin/intake/inboundmessage/{message.pk}/change/").content.decode()
    assert PHONE not in page and "Айгүл" not in page
    url = f"/admin/intake/inboundmessage/{message.pk}/reveal/"
    assert url in page
    refused = client.post(url, {"reason": "asdf"})
    assert refused.status_code == 400 and PHONE not in refused.content.decode()
    assert not SenderReveal.objects.exists()
    revealed = client.post(url, {"reason": REASON})
    html = revealed.content.decode()
    assert revealed.status_code == 200 and f"+{PHONE}" in html and "Айгүл Сейтқали" in html
    reveal = SenderReveal.objects.get()
    assert reveal.actor == admin_user and reveal.message == message and reveal.reason == REASON


def test_a_staff_member_without_the_permission_cannot_reveal(client, post_webhook, channels, world):
    from django.contrib.auth.models import Permission

    post_webhook("whatsapp", wa_text("wamid.a2", "Глубокая яма на дороге у дома 12"))
    message = InboundMessage.objects.get()
    world.clerk.is_staff = True
    world.clerk.save()
    world.clerk.user_permissions.add(Permission.objects.get(codename="view_inboundmessage"))
    client.force_login(world.clerk)
    response = client.post(f"/admin/intake/inboundmessage/{message.pk}/reveal/", {"reason": REASON})
    assert response.status_code == 403 and PHONE not in response.content.decode()
    assert not SenderReveal.objects.exists()
