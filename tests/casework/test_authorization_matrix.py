"""Every role, in scope and out of scope, against every case endpoint.

In scope means: the clerk of the case's district, the officer/inspector of its department, the
contractor on its work order, the investigator/manager of its region. "out" users hold the same
role for another district, department, company or region. 404 = the case is not theirs to see;
403 = they see it but their role may not do this.
"""

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from casework.models import Case, CaseEvent
from tests.factories import image_upload

pytestmark = pytest.mark.django_db

IN = ["clerk", "officer", "inspector", "contractor", "investigator", "manager"]
OUT = [
    "clerk_a2",
    "officer_build",
    "inspector_a2",
    "other_contractor",
    "investigator_b",
    "manager_b",
]


def client_for(world, username):
    client = APIClient()
    client.force_authenticate(world.users[username])
    return client


READ_EXPECTED = {name: 200 for name in IN} | {name: 404 for name in OUT}


@pytest.mark.parametrize("username", IN + OUT)
@pytest.mark.parametrize("path", ["", "events/"])
def test_reading_a_case(world, username, path):
    case = world.advance(world.case(), "repaired")
    response = client_for(world, username).get(f"/api/v1/cases/{case.pk}/{path}")
    assert response.status_code == READ_EXPECTED[username]


@pytest.mark.parametrize("username", IN + OUT)
def test_listing_cases(world, username):
    case = world.advance(world.case(), "repaired")
    results = client_for(world, username).get("/api/v1/cases/").json()["results"]
    assert ([c["id"] for c in results] == [case.pk]) == (READ_EXPECTED[username] == 200)


def _body(world, name):
    return {
        "assign": {"department": world.dep_a1.pk, "reason": "Перенаправление"},
        "notify_contractor": {"contract": world.contract.pk},
        # Accepting the repair signs its act (one more event: act_signed).
        "verify": {"quantity": "1.5", "unit": "m2", "amount_kzt": "90000", "note": "ok"},
        "return_for_rework": {"reason": "Швы не залиты"},
        "reject": {"reason_code": "no_violation", "reason": "Нарушение не подтверждено"},
        "reopen": {"reason": "Яма вернулась", "kind": "warranty_defect"},
    }[name]


# transition, source state, {username: expected status}; unlisted users expect 404.
TRANSITION_MATRIX = [
    ("assign", "received", {"clerk": 200, "investigator": 403, "manager": 403}),
    (
        "assign",
        "assigned",
        {"clerk": 200, "officer": 200, "inspector": 403, "investigator": 403, "manager": 403},
    ),
    (
        "notify_contractor",
        "assigned",
        {"clerk": 403, "officer": 200, "inspector": 403, "investigator": 403, "manager": 403},
    ),
    (
        "report_repaired",
        "contractor_notified",
        {
            "clerk": 403,
            "officer": 403,
            "inspector": 403,
            "contractor": 200,
            "investigator": 403,
            "manager": 403,
        },
    ),
    (
        "verify",
        "repaired",
        {
            "clerk": 403,
            "officer": 403,
            "inspector": 200,
            "contractor": 403,
            "investigator": 403,
            "manager": 403,
        },
    ),
    (
        "return_for_rework",
        "repaired",
        {
            "clerk": 403,
            "officer": 403,
            "inspector": 200,
            "contractor": 403,
            "investigator": 403,
            "manager": 403,
        },
    ),
    ("reject", "received", {"clerk": 200, "investigator": 403, "manager": 403}),
    (
        "reject",
        "assigned",
        {"clerk": 200, "officer": 200, "inspector": 403, "investigator": 403, "manager": 403},
    ),
    (
        "reopen",
        "verified",
        {
            "clerk": 200,
            "officer": 200,
            "inspector": 403,
            "contractor": 403,
            "investigator": 200,
            "manager": 403,
        },
    ),
]


@pytest.mark.parametrize(
    ("name", "source", "expected"),
    TRANSITION_MATRIX,
    ids=[f"{n}-from-{s}" for n, s, _ in TRANSITION_MATRIX],
)
def test_transition_matrix(world, name, source, expected):
    outcomes = {}
    for username in IN + OUT:
        case = world.advance(world.case(), source)
        # An assign from "assigned" is a redirect: it must go to another department.
        body = _body(world, name) if name != "report_repaired" else None
        if name == "assign" and source == "assigned":
            body = {"department": world.dep_a1_build.pk, "reason": "Не наш профиль"}
        events_before = CaseEvent.objects.filter(case=case).count()
        client = client_for(world, username)
        url = f"/api/v1/cases/{case.pk}/transitions/{name}/"
        if name == "report_repaired":
            response = client.post(
                url, {"before": [image_upload()], "after": [image_upload()]}, format="multipart"
            )
        else:
            response = client.post(url, data=json.dumps(body), content_type="application/json")
        outcomes[username] = response.status_code
        events_after = CaseEvent.objects.filter(case=case).count()
        if response.status_code == 200:
            assert events_after == events_before + (2 if name == "verify" else 1)
        else:
            assert events_after == events_before
            assert Case.objects.get(pk=case.pk).state == source
    assert outcomes == {u: expected.get(u, 404) for u in IN + OUT}


# A corruption report: only the region's investigators act on it; departments and contractors
# never see it (404), the district's clerk and the region's manager see it but may not (403).
CORRUPTION_MATRIX = [
    ("review_start", "received", {"note": ""}),
    ("refer", "under_review", {"referred_to": "Прокуратура", "answer": "Передано в прокуратуру"}),
    ("answer", "under_review", {"answer": "Факты не подтвердились"}),
]
CORRUPTION_EXPECTED = {"clerk": 403, "investigator": 200, "manager": 403}
NOT_FOR_REPORTS = [
    ("assign", "received", {"department": 0}),
    ("reject", "received", {"reason_code": "no_violation", "reason": "Не подтвердилось"}),
]


@pytest.mark.parametrize(
    ("name", "source", "body", "expected"),
    [(*row, CORRUPTION_EXPECTED) for row in CORRUPTION_MATRIX]
    + [(*row, {"clerk": 403, "investigator": 403, "manager": 403}) for row in NOT_FOR_REPORTS],
    ids=[f"{n}-from-{s}" for n, s, _ in CORRUPTION_MATRIX + NOT_FOR_REPORTS],
)
def test_corruption_report_transition_matrix(world, name, source, body, expected):
    if "department" in body:
        body = {"department": world.dep_a1.pk}
    outcomes = {}
    for username in IN + OUT:
        case = world.advance(world.case(category=world.corruption), source)
        events_before = CaseEvent.objects.filter(case=case).count()
        response = client_for(world, username).post(
            f"/api/v1/cases/{case.pk}/transitions/{name}/",
            data=json.dumps(body),
            content_type="application/json",
        )
        outcomes[username] = response.status_code
        events_after = CaseEvent.objects.filter(case=case).count()
        assert events_after == events_before + (1 if response.status_code == 200 else 0)
        if response.status_code != 200:
            assert Case.objects.get(pk=case.pk).state == source
    assert outcomes == {u: expected.get(u, 404) for u in IN + OUT}


EXTEND_EXPECTED = {
    "clerk": 403,
    "officer": 200,
    "inspector": 403,
    "investigator": 403,
    "manager": 403,
}
REVEAL_EXPECTED = {
    "clerk": 200,
    "officer": 200,
    "inspector": 403,
    "investigator": 200,
    "manager": 403,
    "contractor": 403,
}


@pytest.mark.parametrize("username", IN + OUT)
def test_extending_the_deadline(world, username):
    case = world.advance(world.case(), "assigned")
    new_due = (case.due_at + dt.timedelta(days=5)).isoformat()
    response = client_for(world, username).post(
        f"/api/v1/cases/{case.pk}/extend-deadline/",
        data=json.dumps({"new_due_at": new_due, "decision": "Закуп материалов"}),
        content_type="application/json",
    )
    assert response.status_code == EXTEND_EXPECTED.get(username, 404)
    assert (Case.objects.get(pk=case.pk).extension_count == 1) == (response.status_code == 200)


@pytest.mark.parametrize("username", IN + OUT)
def test_revealing_the_complainant(world, username):
    case = world.advance(world.case(), "contractor_notified")
    response = client_for(world, username).post(
        f"/api/v1/cases/{case.pk}/complainant/",
        data=json.dumps({"reason": "Перезвонить заявителю и уточнить адрес дома"}),
        content_type="application/json",
    )
    assert response.status_code == REVEAL_EXPECTED.get(username, 404)
    revealed = CaseEvent.objects.filter(case=case, action="complainant_revealed").count()
    assert revealed == (1 if response.status_code == 200 else 0)
    if response.status_code != 200:
        assert "+7701" not in response.content.decode()
