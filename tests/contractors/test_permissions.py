"""A contractor sees their own work orders only, and never who complained: not on any portal
page, not through any API they can reach."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casework import services
from contractors.selectors import current_work_order
from contractors.services import work_order_issue
from tests.contractors.photos import photo

NAME, PHONE = "Айгүл Сейтқали", "+77011234567"


@pytest.fixture
def two_orders(world):
    mine = world.advance(world.case(title="Яма у школы"), "contractor_notified")
    theirs = world.case(title="Люк провалился")
    theirs = world.advance(theirs, "assigned")
    work_order_issue(theirs, actor=world.officer, contract=world.other_contract)
    services.complainant_reveal(
        mine, actor=world.clerk, reason="Перезвонить заявителю и уточнить подъезд"
    )
    return current_work_order(mine), current_work_order(theirs)


def _assert_no_complainant(text: str) -> None:
    assert NAME not in text
    assert PHONE not in text
    assert "7011234567" not in text
    # No complainant field or section (the name of the audit action "complainant_revealed" may
    # appear in the case history: that a reveal happened is not who complained).
    assert '"complainant"' not in text
    assert "anonymous" not in text and "has_phone" not in text


def test_contractor_sees_only_own_orders_on_the_portal(world, two_orders):
    mine, theirs = two_orders
    client = Client()
    client.force_login(world.contractor_user)
    page = client.get("/contractor/").content.decode()
    assert f"#{mine.pk}" in page and "Яма у школы" in page
    assert "Люк провалился" not in page
    assert client.get(f"/contractor/orders/{theirs.pk}/").status_code == 404
    assert client.post(f"/contractor/orders/{theirs.pk}/acknowledge/").status_code == 404
    response = client.post(
        f"/contractor/orders/{theirs.pk}/report/", {"before": [photo(1)], "after": [photo(2)]}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None and theirs.status == "issued"


def test_contractor_cannot_read_another_contractors_order_through_the_api(world, two_orders):
    mine, theirs = two_orders
    api = APIClient()
    api.force_authenticate(world.contractor_user)
    listed = api.get("/api/v1/work-orders/").json()["results"]
    assert [o["id"] for o in listed] == [mine.pk]
    assert api.get(f"/api/v1/work-orders/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/work-orders/{theirs.pk}/acknowledge/").status_code == 404
    assert api.get(f"/api/v1/cases/{theirs.case_id}/").status_code == 404
    assert api.get(f"/api/v1/cases/{theirs.case_id}/events/").status_code == 404
    cases = api.get("/api/v1/cases/").json()["results"]
    assert [c["id"] for c in cases] == [mine.case_id]
    response = api.post(
        f"/api/v1/cases/{theirs.case_id}/transitions/report_repaired/",
        {"before": [photo(1)], "after": [photo(2)]},
        format="multipart",
    )
    assert response.status_code == 404


def test_contractor_cannot_see_complainant_anywhere(world, two_orders):
    mine, _theirs = two_orders
    client = Client()
    client.force_login(world.contractor_user)
    for url in (
        "/contractor/",
        "/contractor/?show=all",
        f"/contractor/orders/{mine.pk}/",
        "/contractor/scorecard/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_complainant(response.content.decode())
    api = APIClient()
    api.force_authenticate(world.contractor_user)
    for url in (
        "/api/v1/work-orders/",
        f"/api/v1/work-orders/{mine.pk}/",
        "/api/v1/cases/",
        f"/api/v1/cases/{mine.case_id}/",
        f"/api/v1/cases/{mine.case_id}/events/",
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        _assert_no_complainant(response.content.decode())
    assert (
        api.post(
            f"/api/v1/cases/{mine.case_id}/complainant/", {"reason": "нужно"}, format="json"
        ).status_code
        == 403
    )


def test_staff_see_the_complainant_summary_the_contractor_does_not(world, two_orders):
    mine, _ = two_orders
    api = APIClient()
    api.force_authenticate(world.officer)
    assert "complainant" in api.get(f"/api/v1/cases/{mine.case_id}/").json()


def test_a_contractor_does_not_see_the_order_that_replaced_theirs(world):
    case = world.advance(world.case(), "verified")
    mine = current_work_order(case)
    services.case_reopen(case, actor=world.clerk, reason="Яма снова", kind="citizen_dispute")
    work_order_issue(case, actor=world.officer, contract=world.other_contract)
    api = APIClient()
    api.force_authenticate(world.contractor_user)
    body = api.get(f"/api/v1/cases/{case.pk}/").json()  # still theirs to see: their old order
    assert "work_order" not in body
    assert [o["id"] for o in api.get("/api/v1/work-orders/").json()["results"]] == [mine.pk]
    api.force_authenticate(world.other_contractor_user)
    assert api.get(f"/api/v1/cases/{case.pk}/").json()["work_order"]["contractor"] == (
        world.other_contractor.pk
    )


def test_contractor_cannot_reach_staff_pages_or_originals(world, two_orders):
    mine, _ = two_orders
    client = Client()
    client.force_login(world.contractor_user)
    assert client.get("/contractor/scorecards/").status_code == 403
    assert client.get("/contractor/scorecards/csv/").status_code == 403
    services.case_report_repaired(
        mine.case, actor=world.contractor_user, before=[photo(1)], after=[photo(2)]
    )
    attachment = mine.case.attachments.first()
    assert client.get(f"/contractor/photos/{attachment.pk}/original/").status_code == 403


def test_staff_are_not_let_into_the_contractor_portal(world):
    client = Client()
    client.force_login(world.clerk)
    assert client.get("/contractor/").status_code == 403
    assert client.get("/contractor/scorecard/").status_code == 403
    client.logout()
    assert client.get("/contractor/").status_code == 302


def test_only_investigators_open_originals_and_each_opening_is_recorded(world):
    case = world.case(photos=[photo(3, lat=50.28, lon=57.17)])
    attachment = case.attachments.get()
    client = Client()
    client.force_login(world.officer)
    assert client.get(f"/contractor/photos/{attachment.pk}/original/").status_code == 403
    client.force_login(world.investigator_b)  # another region
    assert client.get(f"/contractor/photos/{attachment.pk}/original/").status_code == 404
    client.force_login(world.investigator)
    response = client.get(f"/contractor/photos/{attachment.pk}/original/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert case.events.filter(action="photo_original_opened", actor=world.investigator).exists()
