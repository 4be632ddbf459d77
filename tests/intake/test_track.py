import pytest

from casework import services

pytestmark = pytest.mark.django_db


def test_tracking_page_shows_public_timeline_without_personal_data(client, world):
    case = world.advance(world.case(), "contractor_notified")
    services.complainant_reveal(case, actor=world.officer, reason="Уточнить адрес дома")
    response = client.get(f"/track/{case.tracking_code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert case.tracking_code in html
    assert html.count("<li data-state") == 3  # open, assign, notify_contractor
    assert "Айгүл" not in html and "+7701" not in html
    assert "Уточнить адрес дома" not in html  # a reveal is internal


def test_rejection_reason_is_shown_to_the_citizen(client, world):
    case = world.advance(world.case(), "rejected")
    html = client.get(f"/track/{case.tracking_code.lower()}/").content.decode()
    assert "Реклама." in html


def test_corruption_report_needs_the_access_token(client, world):
    case = world.case(category=world.corruption)
    assert client.get(f"/track/{case.tracking_code}/").status_code == 404
    assert client.get(f"/track/{case.tracking_code}/?t=wrong").status_code == 404
    assert client.get(f"/track/{case.tracking_code}/?t={case.access_token}").status_code == 200


def test_unknown_code_is_404(client, db):
    assert client.get("/track/AQT-2026-999999/").status_code == 404


def test_lookup_form_redirects_to_the_code(client, db):
    response = client.get("/track/", {"code": " aqt-2026-000001 "})
    assert response.status_code == 302 and response["Location"].endswith("/track/AQT-2026-000001/")
