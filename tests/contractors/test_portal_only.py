"""Contractors work in the portal only: logging in lands them there, each work order brings one
notice linking to it (and a return one more, with the inspector's reason), and the returned order
shows the inspector's reason and photos."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from casework import services
from contractors.selectors import current_work_order
from tests.factories import image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def addresses(world):
    world.contractor_user.email = "foreman@testzhol.kz"
    world.contractor_user.save()
    world.inspector.email = "inspector@akimat.kz"
    world.inspector.save()


def test_a_contractor_logging_in_to_the_staff_pages_is_sent_to_the_portal(client, world):
    response = client.post(
        "/accounts/login/", {"username": "contractor", "password": "pw-contractor"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("contractors:orders")
    assert response.status_code == 200
    html = response.content.decode()
    # The menu offers the portal, not the staff inbox, queue or case list.
    assert reverse("workflows:inbox") not in html and reverse("workflows:cases") not in html
    assert client.get("/staff/")["Location"] == reverse("contractors:orders")
    # Staff keep their start page.
    client.force_login(world.clerk)
    assert client.get("/staff/")["Location"] == reverse("workflows:inbox")


def test_one_notice_per_work_order_and_it_links_to_the_portal(
    world, addresses, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = world.advance(world.case(), "contractor_notified")
    order = current_work_order(case)
    to_contractor = [m for m in mail.outbox if "foreman@testzhol.kz" in m.to]
    assert len(to_contractor) == 1
    assert f"/contractor/orders/{order.pk}/" in to_contractor[0].body
    assert "/staff/" not in to_contractor[0].body


def test_a_returned_order_is_told_and_shows_the_inspectors_reason_and_photos(
    client, world, addresses, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = world.advance(world.case(), "repaired")
    order = current_work_order(case)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_return_for_rework(
            case,
            actor=world.inspector,
            reason="Края не обрезаны, вода стоит у бордюра",
            photos=[image_upload("inspection.jpg")],
        )
    to_contractor = [m for m in mail.outbox if "foreman@testzhol.kz" in m.to]
    assert len(to_contractor) == 1
    body = to_contractor[0].body
    assert "Края не обрезаны" in body and f"/contractor/orders/{order.pk}/" in body
    assert "/staff/" not in body and "Айгүл" not in body

    client.force_login(world.contractor_user)
    html = client.get(reverse("contractors:order", args=[order.pk])).content.decode()
    assert 'id="returns"' in html and "Края не обрезаны, вода стоит у бордюра" in html
    photo = case.attachments.get(kind="inspection")
    src = reverse("workflows:attachment", args=[case.pk, photo.pk])
    returns = html[html.index('id="returns"') :]
    assert src in returns[: returns.index("</section>")]
    assert client.get(src).status_code == 200
    # The report form is there again for the rework.
    assert reverse("contractors:report", args=[order.pk]) in html


def test_an_order_never_returned_shows_no_returns(client, world):
    case = world.advance(world.case(), "contractor_notified")
    client.force_login(world.contractor_user)
    html = client.get(reverse("contractors:order", args=[current_work_order(case).pk]))
    assert 'id="returns"' not in html.content.decode()


def test_a_late_repair_reminds_the_contractor_in_the_portals_terms(world, addresses):
    from casework.sweep import sweep_run
    from tests.workflows.conftest import deliver_all

    case = world.advance(world.case(), "contractor_notified")
    order = current_work_order(case)
    deliver_all()
    mail.outbox.clear()
    sweep_run(now=case.stage_due_at + dt.timedelta(minutes=1))
    deliver_all()
    assert case.events.filter(action="escalate").exists()
    to_contractor = [m for m in mail.outbox if "foreman@testzhol.kz" in m.to]
    assert len(to_contractor) == 1
    body = to_contractor[0].body
    assert f"/contractor/orders/{order.pk}/" in body and "/staff/" not in body
    assert all("/staff/" not in m.body for m in mail.outbox if "foreman@testzhol.kz" in m.to)
