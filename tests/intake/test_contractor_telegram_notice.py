"""A new work order reaches the contractor's people on Telegram too, when an administrator has
recorded their chat with the bot; the message carries the order, never the complainant."""

import pytest
from django.core import mail

from casework.models import OutboxJob
from contractors.selectors import current_work_order
from intake.models import StaffChat

pytestmark = pytest.mark.django_db


def issue_order(world, capture):
    with capture(execute=True):
        case = world.advance(world.case(), "contractor_notified")
    return current_work_order(case)


def test_work_order_is_sent_to_the_contractors_telegram_chat(
    world, channels, django_capture_on_commit_callbacks
):
    StaffChat.objects.create(user=world.contractor_user, chat_id=777001)
    order = issue_order(world, django_capture_on_commit_callbacks)
    sent = [s for s in channels.sent_to("telegram") if s.body.get("chat_id") == 777001]
    assert len(sent) == 1
    text = sent[0].body["text"]
    assert f"/contractor/orders/{order.pk}/" in text and order.contract.number in text
    assert "Айгүл" not in text and "7011234567" not in text


def test_without_a_recorded_chat_nothing_goes_to_telegram(
    world, channels, django_capture_on_commit_callbacks
):
    world.contractor.email = "office@testzhol.kz"
    world.contractor.save()
    issue_order(world, django_capture_on_commit_callbacks)
    assert channels.sent_to("telegram") == []
    assert any("office@testzhol.kz" in m.to for m in mail.outbox)


def test_another_contractors_chat_gets_nothing(world, channels, django_capture_on_commit_callbacks):
    StaffChat.objects.create(user=world.other_contractor_user, chat_id=777002)
    issue_order(world, django_capture_on_commit_callbacks)
    assert [s for s in channels.sent_to("telegram") if s.body.get("chat_id") == 777002] == []


def test_with_telegram_switched_off_the_notice_still_completes_by_email(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    world.contractor.email = "office@testzhol.kz"
    world.contractor.save()
    StaffChat.objects.create(user=world.contractor_user, chat_id=777003)
    issue_order(world, django_capture_on_commit_callbacks)
    jobs = OutboxJob.objects.filter(kind="contractor_work_order_notice")
    assert [job.status for job in jobs] == [OutboxJob.Status.DONE]
    assert any("office@testzhol.kz" in m.to for m in mail.outbox)
