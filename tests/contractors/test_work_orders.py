"""Issuing tells the contractor; the contractor acknowledges within one working day or the order
escalates; the portal reports the repair through the evidence checks."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from casework import clock, deadlines
from casework.models import OutboxJob
from contractors.models import WorkOrder
from contractors.selectors import current_work_order
from contractors.services import (
    work_order_acknowledge,
    work_orders_escalate_unacknowledged,
    work_orders_unacknowledged,
)
from tests.contractors.photos import photo


@pytest.fixture
def order(world, django_capture_on_commit_callbacks):
    world.contractor.email = "office@testzhol.kz"
    world.contractor.save()
    world.contractor_user.email = "foreman@testzhol.kz"
    world.contractor_user.save()
    world.officer.email = "officer@akimat.kz"
    world.officer.save()
    world.dep_a1.email = "roads@akimat.kz"
    world.dep_a1.save()
    with django_capture_on_commit_callbacks(execute=True):
        case = world.advance(world.case(), "contractor_notified")
    return current_work_order(case)


def test_issuing_sets_the_acknowledgement_deadline_and_emails_the_contractor(world, order):
    assert order.acknowledge_due_at == deadlines.add_working_days(order.issued_at, 1)
    sent = [m for m in mail.outbox if f"/contractor/orders/{order.pk}/" in m.body]
    assert len(sent) == 1
    assert set(sent[0].to) == {"office@testzhol.kz", "foreman@testzhol.kz"}
    body = sent[0].body
    assert f"/contractor/orders/{order.pk}/" in body
    assert "Айгүл" not in body and "7011234567" not in body


def test_acknowledging_records_an_event_once(world, order):
    work_order_acknowledge(order, actor=world.contractor_user)
    work_order_acknowledge(order, actor=world.contractor_user)
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.ACKNOWLEDGED
    assert order.acknowledged_at is not None
    events = order.case.events.filter(action="work_order_acknowledged")
    assert events.count() == 1
    assert events.get().payload == {"work_order": order.pk, "late": False}


def test_another_contractor_cannot_acknowledge(world, order):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        work_order_acknowledge(order, actor=world.other_contractor_user)
    with pytest.raises(PermissionDenied):
        work_order_acknowledge(order, actor=world.officer)


def test_an_order_not_acknowledged_in_one_working_day_escalates_once(
    world, order, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    just_before = order.acknowledge_due_at - dt.timedelta(minutes=1)
    assert work_orders_escalate_unacknowledged(just_before) == 0
    after = order.acknowledge_due_at + dt.timedelta(minutes=1)
    assert list(work_orders_unacknowledged(after)) == [order]
    with clock.frozen_at(after), django_capture_on_commit_callbacks(execute=True):
        assert work_orders_escalate_unacknowledged() == 1
        assert work_orders_escalate_unacknowledged() == 0
    order.refresh_from_db()
    assert order.acknowledge_escalated_at == after
    event = order.case.events.get(action="work_order_acknowledgement_overdue")
    assert event.payload["work_order"] == order.pk
    assert OutboxJob.objects.filter(kind="work_order_escalation").count() == 1
    warned = [m for m in mail.outbox if order.case.tracking_code in m.body]
    assert len(warned) == 1
    assert set(warned[0].to) == {"officer@akimat.kz", "roads@akimat.kz"}


def test_an_acknowledged_order_does_not_escalate(world, order):
    work_order_acknowledge(order, actor=world.contractor_user)
    assert work_orders_escalate_unacknowledged(order.acknowledge_due_at + dt.timedelta(days=3)) == 0


def test_the_beat_task_runs_the_sweep(world, order):
    from config.celery import app
    from contractors.tasks import escalate_unacknowledged

    entry = app.conf.beat_schedule["contractors-escalate-unacknowledged"]
    assert entry["task"] == escalate_unacknowledged.name
    with clock.frozen_at(order.acknowledge_due_at + dt.timedelta(hours=1)):
        assert escalate_unacknowledged() == 1


def test_the_contractor_acknowledges_and_reports_through_the_portal(world, order):
    client = Client()
    client.force_login(world.contractor_user)
    page = client.get(f"/contractor/orders/{order.pk}/")
    assert page.status_code == 200
    assert "Acknowledge" in page.content.decode() or "acknowledge" in page.content.decode()
    assert client.post(f"/contractor/orders/{order.pk}/acknowledge/").status_code == 302
    order.refresh_from_db()
    assert order.acknowledged_at is not None
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(
        f"/contractor/orders/{order.pk}/report/",
        {
            "before": [photo(1)],
            "after": [SimpleUploadedFile("after.jpg", b"PK\x03\x04 not a photo")],
            "note": "Сделано",
        },
    )
    assert bad.status_code == 400
    assert "after" in bad.context["form"].errors
    accepted = client.post(
        f"/contractor/orders/{order.pk}/report/", {"before": [photo(1)], "after": [photo(2)]}
    )
    assert accepted.status_code == 302
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.REPORTED
    assert order.case.state == "repaired"


def test_a_report_without_photos_is_refused_with_field_errors(world, order):
    client = Client()
    client.force_login(world.contractor_user)
    response = client.post(f"/contractor/orders/{order.pk}/report/", {"note": "Готово"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"before", "after"}
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.ISSUED


def test_the_portal_lists_open_orders_with_a_map(world, order):
    client = Client()
    client.force_login(world.contractor_user)
    page = client.get("/contractor/").content.decode()
    assert 'id="sites-map"' in page and "leaflet.js" in page
    assert f'"order": {order.pk}' in page
    assert "tile.openstreetmap.org" not in page  # MAP_TILE_URL is empty in tests


def test_the_api_acknowledges_and_lists(world, order):
    api = APIClient()
    api.force_authenticate(world.contractor_user)
    body = api.post(f"/api/v1/work-orders/{order.pk}/acknowledge/").json()
    assert body["status"] == "acknowledged"
    assert (
        api.get("/api/v1/work-orders/?status=acknowledged").json()["results"][0]["id"] == order.pk
    )
