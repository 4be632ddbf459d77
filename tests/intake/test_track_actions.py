import re

import pytest

from casework.models import CaseEvent
from casework.services import case_citizen_confirm

pytestmark = pytest.mark.django_db


def without_reference(response) -> str:
    """The page without its request reference (a new one for every request)."""
    return re.sub(r"[0-9a-f]{32}", "", response.content.decode())


def test_the_owner_sees_confirm_and_dispute_on_a_verified_repair(client, world):
    case = world.advance(world.case(), "verified")
    html = client.get(f"/track/{case.tracking_code}/?t={case.access_token}").content.decode()
    assert "/confirm/" in html and "/dispute/" in html
    anyone = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert "/confirm/" not in anyone and "/dispute/" not in anyone


def test_confirming_writes_an_event_and_shows_on_the_timeline(client, world):
    case = world.advance(world.case(), "verified")
    url = f"/track/{case.tracking_code}/confirm/"
    response = client.post(url, {"t": case.access_token})
    assert response.status_code == 302
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event.action == "citizen_confirm" and event.role == "citizen"
    html = client.get(response["Location"]).content.decode()
    assert html.count("<li data-state") == 6 and "/confirm/" not in html
    again = client.post(url, {"t": case.access_token})
    assert again.status_code == 409


def test_confirming_or_disputing_with_a_wrong_token_looks_like_an_unknown_code(client, world):
    case = world.advance(world.case(), "verified")
    unknown = client.post("/track/AQT-2026-999999/confirm/", {"t": "not-the-token"})
    assert unknown.status_code == 404
    for action, data in (("confirm", {}), ("dispute", {"reason": "Яма осталась"})):
        for token in ("not-the-token", "тоқен", ""):
            response = client.post(f"/track/{case.tracking_code}/{action}/", {"t": token, **data})
            assert response.status_code == 404
            assert without_reference(response) == without_reference(unknown)
    assert CaseEvent.objects.filter(case=case).count() == 5
    case.refresh_from_db()
    assert case.state == "verified"


def test_an_open_case_cannot_be_confirmed(world):
    case = world.case()
    with pytest.raises(Exception) as info:
        case_citizen_confirm(case, citizen_token=case.access_token)
    assert type(info.value).__name__ == "TransitionConflict"


def test_disputing_reopens_the_case_with_the_citizens_reason(client, world):
    case = world.advance(world.case(), "verified")
    url = f"/track/{case.tracking_code}/dispute/"
    assert client.post(url, {"t": case.access_token, "reason": ""}).status_code == 400
    response = client.post(url, {"t": case.access_token, "reason": "Яма снова появилась"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "assigned" and case.reopen_count == 1
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event.action == "reopen" and event.payload["kind"] == "citizen_dispute"


def test_appealing_a_rejection_reopens_it(client, world):
    case = world.advance(world.case(), "rejected")
    response = client.post(
        f"/track/{case.tracking_code}/dispute/", {"t": case.access_token, "reason": "Это не спам"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "received"


def test_disputing_an_open_case_is_a_conflict(client, world):
    case = world.case()
    response = client.post(
        f"/track/{case.tracking_code}/dispute/", {"t": case.access_token, "reason": "x"}
    )
    assert response.status_code == 409
