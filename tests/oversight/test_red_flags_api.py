"""/api/v1/red-flags/: investigators of the hit's region only; each hit with its indicator, its
subject by name, its money, score and evidence; dismissal needs a reason."""

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from casework import services
from oversight.models import RedFlagHit
from tests.oversight.conftest import accepted, deliver_all

pytestmark = pytest.mark.django_db

LIST = "/api/v1/red-flags/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def found(world, posts):
    accepted(world)  # a rubber stamp (and the photos carry no time or place)
    case = world.advance(world.case(latitude="50.3", longitude="57.2"), "assigned")
    for _ in range(2):
        case.refresh_from_db()
        services.case_extend_deadline(
            case,
            actor=world.officer,
            new_due_at=case.due_at + dt.timedelta(days=1),
            decision="Нужна экспертиза покрытия",
        )
    deliver_all()
    return RedFlagHit.objects.all()


def test_an_investigator_lists_the_regions_hits_ranked_with_subject_names(world, found):
    response = api(world.investigator).get(LIST)
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == found.count() >= 3
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    stamp = next(r for r in results if r["indicator"] == "rubber_stamp")
    assert stamp["subject"]["kind"] == "act" and stamp["subject"]["name"].startswith("№ ")
    assert stamp["money_kzt"] == "48500.00" and stamp["person_name"] == "Марат Тілеуов"
    # By name and the post the act was signed in (the API answers in Russian unless asked).
    assert stamp["person_post"] == "Марат Тілеуов, Inspector (ru)"
    assert {e["kind"] for e in stamp["evidence"]} >= {"act", "event"}
    only = api(world.investigator).get(LIST, {"indicator": "deadline_extended_twice"}).json()
    assert [r["indicator"] for r in only["results"]] == ["deadline_extended_twice"]


def test_others_see_nothing_or_are_refused(world, found):
    assert api(world.investigator_b).get(LIST).json()["results"] == []
    hit = found.first()
    assert api(world.investigator_b).get(f"{LIST}{hit.pk}/").status_code == 404
    for user in (world.manager, world.officer, world.inspector, world.contractor_user):
        assert api(user).get(LIST).status_code == 403
        assert api(user).get(f"{LIST}{hit.pk}/").status_code == 403
    assert APIClient().get(LIST).status_code in (401, 403)


@pytest.mark.parametrize(
    "query", [{"since": "yesterday"}, {"district": "x"}, {"min_money": "NaN"}, {"status": "?"}]
)
def test_bad_filters_are_a_400(world, found, query):
    assert api(world.investigator).get(LIST, query).status_code == 400


def test_dismissing_through_the_api_needs_a_reason(world, found):
    hit = found.get(indicator="deadline_extended_twice")
    url = f"{LIST}{hit.pk}/dismiss/"
    client = api(world.investigator)
    refused = client.post(url, data=json.dumps({"reason": " "}), content_type="application/json")
    assert refused.status_code == 400 and "reason" in refused.json()
    done = client.post(
        url, data=json.dumps({"reason": "Продления согласованы"}), content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    other = api(world.investigator_b).post(
        url, data=json.dumps({"reason": "Чужой регион"}), content_type="application/json"
    )
    assert other.status_code == 404
