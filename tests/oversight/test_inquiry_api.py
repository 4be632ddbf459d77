"""/api/v1/inquiries/ and /api/v1/sanctions/: the team and the supervisor read them, by name and
post, with hashes and custody; anyone else gets 404 or an empty list; a reporter stays protected."""

import hashlib
import json

import pytest
from rest_framework.test import APIClient

from oversight.inquiries import (
    evidence_add,
    evidence_transfer,
    inquiry_assign,
    inquiry_party_add,
    sanction_propose,
)
from oversight.models import InquiryParty, Sanction
from tests.oversight.inquiry_fixtures import *  # noqa: F403  (the fixtures)
from tests.oversight.inquiry_fixtures import REPORTER, upload

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def worked(world, posts, team, inquiry):
    inquiry_assign(inquiry, actor=team.supervisor, add=[team.second])
    inquiry_party_add(inquiry, actor=team.lead, role=InquiryParty.Role.REPORTER, identity=REPORTER)
    content = b"%PDF-1.4 the order appointing the inspector"
    item = evidence_add(inquiry, actor=team.lead, file=upload(content), description="Приказ")
    evidence_transfer(item, actor=team.lead, to_user=team.second, reason="На экспертизу")
    sanction = sanction_propose(
        inquiry,
        actor=team.lead,
        target=posts.inspector,
        kind=Sanction.Kind.REPRIMAND,
        legal_basis="Закон РК «О государственной службе», ст. 40",
    )
    return inquiry, sanction, hashlib.sha256(content).hexdigest()


def test_the_team_reads_the_inquiry_by_name_and_post_with_hashes_and_custody(
    world, posts, team, worked
):
    inquiry, sanction, sha = worked
    listed = api(team.second).get("/api/v1/inquiries/")
    assert listed.status_code == 200
    assert [row["number"] for row in listed.json()["results"]] == [inquiry.number]
    detail = api(team.lead).get(f"/api/v1/inquiries/{inquiry.pk}/").json()
    subjects = {row["kind"]: row["name"] for row in detail["subjects"]}
    assert posts.inspector.full_name in subjects["person"]
    assert "Inspector" in subjects["person"]  # the post held, not an id
    [evidence] = detail["evidence"]
    assert evidence["sha256"] == sha
    assert [t["reason"] for t in evidence["transfers"]] == ["На экспертизу"]
    assert evidence["custodian"].startswith(team.second.get_full_name() or "investigator2")
    assert [row["id"] for row in detail["sanctions"]] == [sanction.pk]
    assert detail["log"][0]["action"] == "opened" and len(detail["log"][-1]["hash"]) == 64
    text = json.dumps(detail, ensure_ascii=False)
    assert REPORTER["name"] not in text and REPORTER["phone"] not in text
    reporter = next(p for p in detail["parties"] if p["role"] == "reporter")
    assert "identity protected" in reporter["name"]


def test_the_supervisor_reads_the_sanctions(team, worked):
    inquiry, sanction, _sha = worked
    listed = api(team.supervisor).get("/api/v1/sanctions/").json()["results"]
    assert [(row["id"], row["inquiry_number"]) for row in listed] == [(sanction.pk, inquiry.number)]
    one = api(team.supervisor).get(f"/api/v1/sanctions/{sanction.pk}/").json()
    assert one["kind"] == "reprimand" and one["status"] == "proposed"
    assert one["target"]["kind"] == "person" and one["target"]["name"]


@pytest.mark.parametrize("who", ["idle", "other_region", "clerk", "contractor_user", "inspector"])
def test_anyone_off_the_team_finds_nothing(world, team, worked, who):
    inquiry, sanction, _sha = worked
    user = getattr(team, who, None) or getattr(world, who)
    client = api(user)
    for path in ("/api/v1/inquiries/", "/api/v1/sanctions/"):
        response = client.get(path)
        assert response.status_code == 200 and response.json()["results"] == [], path
    assert client.get(f"/api/v1/inquiries/{inquiry.pk}/").status_code == 404
    assert client.get(f"/api/v1/sanctions/{sanction.pk}/").status_code == 404


def test_without_signing_in_nothing_is_served(worked):
    inquiry, _sanction, _sha = worked
    assert APIClient().get(f"/api/v1/inquiries/{inquiry.pk}/").status_code in (401, 403)


def test_a_bad_status_filter_is_a_clear_400(team, worked):
    response = api(team.lead).get("/api/v1/inquiries/", {"status": "half-open"})
    assert response.status_code == 400 and "status" in response.json()
    assert api(team.lead).get("/api/v1/inquiries/", {"status": "open"}).json()["count"] == 1
    assert api(team.lead).get("/api/v1/sanctions/", {"status": "imposed"}).json()["count"] == 0


def test_the_schema_describes_the_inquiry_and_sanction_endpoints(world):
    client = APIClient()
    client.force_login(world.investigator)
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in (
        "/api/v1/inquiries/",
        "/api/v1/inquiries/{id}/",
        "/api/v1/sanctions/",
        "/api/v1/sanctions/{id}/",
    ):
        assert "get" in paths[path], path
