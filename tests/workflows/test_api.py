import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from casework.models import Case, CaseEvent
from oversight.models import AcceptanceAct
from tests.factories import image_upload

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def counts():
    return Case.objects.count(), CaseEvent.objects.count()


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def transition_url(case, name):
    return f"/api/v1/cases/{case.pk}/transitions/{name}/"


# Reading ------------------------------------------------------------------------------------


def test_list_needs_authentication(world):
    assert api().get("/api/v1/cases/").status_code in (401, 403)


def test_token_authentication_works(world):
    token = Token.objects.create(user=world.clerk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    world.case()
    response = client.get("/api/v1/cases/")
    assert response.status_code == 200 and len(response.json()["results"]) == 1


def test_list_is_scoped_and_cursor_paginated(world):
    mine = [world.case() for _ in range(5)]
    world.case(district=world.a2)
    client = api(world.clerk)
    first = client.get("/api/v1/cases/", {"page_size": 2}).json()
    assert set(first) >= {"results", "next", "previous"}
    assert [c["id"] for c in first["results"]] == [mine[4].pk, mine[3].pk]
    second = client.get(first["next"]).json()
    assert [c["id"] for c in second["results"]] == [mine[2].pk, mine[1].pk]
    seen = {c["id"] for c in first["results"] + second["results"]}
    third = client.get(second["next"]).json()
    seen |= {c["id"] for c in third["results"]}
    assert seen == {c.pk for c in mine}
    assert third["next"] is None


def test_list_filters(world):
    received = world.case(title="Яма у школы")
    assigned = world.advance(world.case(address="улица Маресьева, 5"), "assigned")
    client = api(world.investigator)
    ids = lambda **q: [c["id"] for c in client.get("/api/v1/cases/", q).json()["results"]]  # noqa: E731
    assert ids(state="assigned") == [assigned.pk]
    assert ids(department=world.dep_a1.pk) == [assigned.pk]
    assert ids(q="школы") == [received.pk]
    assert ids(q="маресьева") == [assigned.pk]
    assert ids(q=received.tracking_code) == [received.pk]
    assert ids(category="pothole") == [assigned.pk, received.pk]
    assert ids(overdue="true") == []
    assert set(ids(overdue="false")) == {assigned.pk, received.pk}
    assert ids(received_after="2999-01-01T00:00:00Z") == []


@pytest.mark.parametrize(
    "query",
    [
        {"state": "nonsense"},
        {"district": "abc"},
        {"received_after": "yesterday"},
        {"overdue": "maybe"},
    ],
)
def test_bad_filters_are_400_with_the_field(world, query):
    response = api(world.clerk).get("/api/v1/cases/", query)
    assert response.status_code == 400
    assert set(query) & set(response.json())


def test_list_uses_a_constant_number_of_queries(world):
    for _ in range(3):
        world.case()
    client = api(world.investigator)
    client.get("/api/v1/cases/")  # warm caches (content types, etc.)

    def queries(page_size):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/cases/", {"page_size": page_size}).status_code == 200
        return len(ctx.captured_queries)

    small = queries(1)
    assert 0 < small <= 8
    for _ in range(20):
        world.advance(world.case(), "assigned")
    assert queries(20) == small


def test_detail_has_transitions_for_the_user_and_events(world):
    case = world.advance(world.case(), "assigned")
    clerk_view = api(world.clerk).get(f"/api/v1/cases/{case.pk}/").json()
    officer_view = api(world.officer).get(f"/api/v1/cases/{case.pk}/").json()
    assert clerk_view["tracking_code"] == case.tracking_code and clerk_view["state"] == "assigned"
    assert {"due_at", "stage_due_at", "version"} <= set(clerk_view)
    assert [e["action"] for e in clerk_view["events"]] == ["open", "assign"]
    assert set(clerk_view["allowed_transitions"]) == {"assign", "reject"}
    assert set(officer_view["allowed_transitions"]) == {"assign", "notify_contractor", "reject"}
    assert (
        api(world.investigator).get(f"/api/v1/cases/{case.pk}/").json()["allowed_transitions"] == []
    )


def test_out_of_scope_case_is_404(world):
    case = world.case()
    for user in (world.clerk_a2, world.investigator_b, world.contractor_user, world.officer_build):
        assert api(user).get(f"/api/v1/cases/{case.pk}/").status_code == 404
        assert api(user).get(f"/api/v1/cases/{case.pk}/events/").status_code == 404


def test_contractor_never_receives_complainant_fields(world):
    case = world.advance(world.case(), "contractor_notified")
    detail = api(world.contractor_user).get(f"/api/v1/cases/{case.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "complainant" not in detail.json()
    assert "Айгүл" not in body and "+7701" not in body
    listing = api(world.contractor_user).get("/api/v1/cases/").json()
    assert [c["id"] for c in listing["results"]] == [case.pk]
    assert "complainant" not in listing["results"][0]
    reveal = post_json(
        api(world.contractor_user), f"/api/v1/cases/{case.pk}/complainant/", {"reason": "x"}
    )
    assert reveal.status_code == 403


def test_staff_see_only_a_summary_until_a_logged_reveal(world):
    case = world.case()
    detail = api(world.clerk).get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["complainant"] == {
        "anonymous": False,
        "has_phone": True,
        "has_email": False,
        "language": "ru",
    }
    assert "+7701" not in json.dumps(detail)
    missing = post_json(api(world.clerk), f"/api/v1/cases/{case.pk}/complainant/", {})
    assert missing.status_code == 400 and "reason" in missing.json()
    revealed = post_json(
        api(world.clerk),
        f"/api/v1/cases/{case.pk}/complainant/",
        {"reason": "Перезвонить заявителю и уточнить адрес дома"},
    )
    assert revealed.status_code == 200 and revealed.json()["phone"] == "+77011234567"
    assert CaseEvent.objects.filter(case=case, action="complainant_revealed").count() == 1


# Transitions --------------------------------------------------------------------------------


def test_assign_via_api(world):
    case = world.case()
    response = post_json(
        api(world.clerk), transition_url(case, "assign"), {"department": world.dep_a1.pk}
    )
    assert response.status_code == 200, response.content
    assert (
        response.json()["state"] == "assigned" and response.json()["department"] == world.dep_a1.pk
    )


def test_full_lifecycle_via_api_including_multipart_evidence(world):
    case = world.case()
    assert (
        post_json(
            api(world.clerk), transition_url(case, "assign"), {"department": world.dep_a1.pk}
        ).status_code
        == 200
    )
    response = post_json(
        api(world.officer),
        transition_url(case, "notify_contractor"),
        {"contract": world.contract.pk},
    )
    assert response.status_code == 200, response.content
    response = api(world.contractor_user).post(
        transition_url(case, "report_repaired"),
        {
            "before": [image_upload("b1.jpg")],
            "after": [image_upload("a1.jpg"), image_upload("a2.png", "PNG")],
            "note": "Готово",
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert [a["kind"] for a in response.json()["attachments"]] == ["before", "after", "after"]
    response = post_json(
        api(world.inspector), transition_url(case, "return_for_rework"), {"reason": "Швы"}
    )
    assert response.json()["state"] == "contractor_notified"
    api(world.contractor_user).post(
        transition_url(case, "report_repaired"),
        {"before": [image_upload()], "after": [image_upload()]},
        format="multipart",
    )
    # Accepting the repair signs its acceptance act, through the API as on the staff site.
    act = {"quantity": "2.5", "unit": "m2", "amount_kzt": "180000", "note": "Принято"}
    response = post_json(api(world.inspector), transition_url(case, "verify"), act)
    assert response.status_code == 200 and response.json()["state"] == "verified"
    assert AcceptanceAct.objects.filter(case=case).count() == 1
    response = post_json(
        api(world.clerk),
        transition_url(case, "reopen"),
        {"reason": "Яма вернулась", "kind": "warranty_defect"},
    )
    assert response.status_code == 200 and response.json()["state"] == "assigned"


def test_transition_from_wrong_state_is_409_and_writes_nothing(world):
    case = world.advance(world.case(), "assigned")
    before = counts()
    response = post_json(api(world.inspector), transition_url(case, "verify"), {})
    # The inspector may verify this department's cases, but not while it is `assigned`.
    assert response.status_code == 409 and response.json()["state"] == "assigned"
    response = post_json(api(world.clerk), transition_url(case, "reopen"), {"reason": "x"})
    assert response.status_code == 409 and response.json()["state"] == "assigned"
    assert counts() == before


def test_role_that_may_not_gets_403_and_nothing_is_written(world):
    case = world.case()
    before = counts()
    for user in (world.contractor_user, world.manager, world.investigator, world.inspector):
        response = post_json(
            api(user), transition_url(case, "assign"), {"department": world.dep_a1.pk}
        )
        assert response.status_code in (403, 404), (user, response.status_code)
    assert (
        post_json(
            api(world.manager), transition_url(case, "assign"), {"department": world.dep_a1.pk}
        ).status_code
        == 403
    )
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "department"),
        ({"department": "abc"}, "department"),
        ({"department": 999999}, "department"),
    ],
)
def test_bad_assign_body_is_400_with_field(world, body, field):
    case = world.case()
    before = counts()
    response = post_json(api(world.clerk), transition_url(case, "assign"), body)
    assert response.status_code == 400 and field in response.json()
    assert counts() == before


def test_reject_needs_reason_and_duplicate_target(world):
    case = world.case()
    client = api(world.clerk)
    assert (
        "reason"
        in post_json(client, transition_url(case, "reject"), {"reason_code": "spam"}).json()
    )
    response = post_json(
        client, transition_url(case, "reject"), {"reason_code": "duplicate", "reason": "Повтор"}
    )
    assert response.status_code == 400 and "duplicate_of" in response.json()
    response = post_json(
        client, transition_url(case, "reject"), {"reason_code": "nope", "reason": "x"}
    )
    assert response.status_code == 400 and "reason_code" in response.json()
    assert Case.objects.get(pk=case.pk).state == "received"


def test_unknown_transition_is_404_naming_the_known_ones(world):
    case = world.case()
    response = post_json(api(world.clerk), transition_url(case, "teleport"), {})
    assert response.status_code == 404 and "assign" in response.json()["detail"]


def test_wrong_content_type_is_415(world):
    case = world.case()
    response = api(world.clerk).post(
        transition_url(case, "assign"), data="department=1", content_type="text/plain"
    )
    assert response.status_code == 415
    response = api(world.clerk).post(
        transition_url(case, "assign"), {"department": world.dep_a1.pk}, format="multipart"
    )
    assert response.status_code == 415
    assert Case.objects.get(pk=case.pk).state == "received"


def test_malformed_json_is_400(world):
    case = world.case()
    response = api(world.clerk).post(
        transition_url(case, "assign"), data="{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_huge_body_is_413_and_writes_nothing(world):
    case = world.case()
    before = counts()
    body = json.dumps({"department": world.dep_a1.pk, "reason": "x" * 400_000})
    response = api(world.clerk).post(
        transition_url(case, "assign"), data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert counts() == before


def test_stale_version_is_409(world):
    case = world.case()
    client = api(world.clerk)
    version = client.get(f"/api/v1/cases/{case.pk}/").json()["version"]
    assert (
        post_json(
            client,
            transition_url(case, "assign"),
            {"department": world.dep_a1.pk, "version": version},
        ).status_code
        == 200
    )
    response = post_json(
        api(world.officer),
        transition_url(case, "assign"),
        {"department": world.dep_a1_build.pk, "reason": "x", "version": version},
    )
    assert response.status_code == 409


def test_redirect_out_of_own_scope_answers_without_leaking_the_case(world):
    case = world.advance(world.case(), "assigned")
    response = post_json(
        api(world.officer),
        transition_url(case, "assign"),
        {"department": world.dep_a1_build.pk, "reason": "Не наш профиль"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "state": "assigned",
        "visible": False,
    }


def test_report_repaired_with_a_non_image_is_400(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = world.advance(world.case(), "contractor_notified")
    fake = SimpleUploadedFile("photo.jpg", b"PK\x03\x04 this is a zip", content_type="image/jpeg")
    response = api(world.contractor_user).post(
        transition_url(case, "report_repaired"),
        {"before": [fake], "after": [image_upload()]},
        format="multipart",
    )
    assert response.status_code == 400 and "before" in response.json()
    assert Case.objects.get(pk=case.pk).state == "contractor_notified"


def test_extend_deadline_endpoint(world):
    case = world.advance(world.case(), "assigned")
    url = f"/api/v1/cases/{case.pk}/extend-deadline/"
    new_due = (
        case.due_at.replace(microsecond=0) + __import__("datetime").timedelta(days=7)
    ).isoformat()
    assert post_json(api(world.officer), url, {"new_due_at": new_due}).status_code == 400
    assert (
        post_json(api(world.clerk), url, {"new_due_at": new_due, "decision": "x"}).status_code
        == 403
    )
    response = post_json(
        api(world.officer), url, {"new_due_at": new_due, "decision": "Закуп материалов"}
    )
    assert response.status_code == 200 and response.json()["extension_count"] == 1


def test_schema_and_docs_are_served(world):
    client = APIClient()
    client.force_login(world.clerk)  # a session: the docs page is a plain Django view
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/cases/{id}/transitions/verify/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
