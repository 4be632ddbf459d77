"""Intake errors and unfinished chat drafts are scoped by region: a clerk of region A never sees
what citizens of region B wrote, on the staff page, through the retry or in the admin."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from casework.models import OutboxJob
from intake.models import Conversation, Draft, InboundMessage
from tests.intake.test_telegram import update

pytestmark = pytest.mark.django_db

LONG_AGO = dt.timedelta(hours=2)


@pytest.fixture
def intake_of_two_regions(world, monkeypatch):
    """A draft and a stuck message in each region, and a malformed body placed nowhere.
    Unplaced intake belongs to region A (the default district's)."""
    monkeypatch.setenv("INTAKE_DEFAULT_DISTRICT", world.a1.code)
    world.clerk_b = world.user("clerk", name="clerk_b", district=world.b1)
    earlier = timezone.now() - LONG_AGO
    found = {}
    for name, district, text in (
        ("a", world.a1, "Яма у школы в Актобе"),
        ("b", world.b1, "Яма у рынка в Таразе"),
        ("nowhere", None, "Фонарь не горит где-то"),
    ):
        conversation = Conversation.objects.create(channel="telegram", sender_key=f"tg:{name}")
        draft = Draft.objects.create(
            conversation=conversation, text=text, district=district, last_message_at=earlier
        )
        found[name] = InboundMessage.objects.create(
            channel="telegram",
            external_id=f"stuck-{name}",
            kind="message",
            raw_body=b"{}",
            received_at=earlier,
            draft=draft,
        )
    found["malformed"] = InboundMessage.objects.create(
        channel="whatsapp",
        external_id="body:unreadable",
        kind="malformed",
        raw_body=b"{",
        error="not JSON",
        processed_at=earlier,
    )
    return found


def test_a_clerk_sees_only_their_regions_intake_errors_and_drafts(
    client, world, intake_of_two_regions
):
    client.force_login(world.clerk_b)
    page = client.get("/intake/errors/").content.decode()
    assert "stuck-b" in page and "Яма у рынка в Таразе" in page
    assert "stuck-a" not in page and "Яма у школы в Актобе" not in page
    assert "body:unreadable" not in page and "Фонарь не горит" not in page
    client.force_login(world.clerk)  # region A: its own, and what is placed nowhere yet
    page = client.get("/intake/errors/").content.decode()
    assert "stuck-a" in page and "Яма у школы в Актобе" in page
    assert "body:unreadable" in page and "Фонарь не горит где-то" in page
    assert "stuck-b" not in page and "Яма у рынка в Таразе" not in page


def test_without_a_default_district_unplaced_intake_is_for_administrators(
    client, world, intake_of_two_regions, monkeypatch, admin_user
):
    monkeypatch.delenv("INTAKE_DEFAULT_DISTRICT")
    client.force_login(world.clerk)
    page = client.get("/intake/errors/").content.decode()
    assert "stuck-a" in page and "body:unreadable" not in page
    client.force_login(admin_user)
    page = client.get("/admin/intake/inboundmessage/").content.decode()
    assert all(f"stuck-{name}" in page for name in ("a", "b", "nowhere"))


def test_a_clerk_cannot_send_another_regions_message_again(client, world, intake_of_two_regions):
    stuck_a = intake_of_two_regions["a"]
    jobs = OutboxJob.objects.count()
    client.force_login(world.clerk_b)
    response = client.post(
        f"/intake/errors/{stuck_a.pk}/retry/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "No such message" in response.content.decode()
    assert OutboxJob.objects.count() == jobs


def test_the_admin_lists_a_clerks_own_region_only(client, world, intake_of_two_regions):
    world.clerk_b.is_staff = True
    world.clerk_b.save()
    world.clerk_b.user_permissions.add(Permission.objects.get(codename="view_inboundmessage"))
    client.force_login(world.clerk_b)
    page = client.get("/admin/intake/inboundmessage/").content.decode()
    assert "stuck-b" in page and "stuck-a" not in page and "body:unreadable" not in page
    stuck_a = intake_of_two_regions["a"]
    response = client.get(f"/admin/intake/inboundmessage/{stuck_a.pk}/change/")
    assert response.status_code in (302, 404)


def test_a_chat_draft_is_placed_in_the_district_of_its_point(post_webhook, channels, world):
    post_webhook(
        "telegram", update(900, chat_id=42, location={"latitude": 42.9, "longitude": 71.37})
    )
    draft = Draft.objects.get()
    assert draft.district == world.b1 and draft.case is None
