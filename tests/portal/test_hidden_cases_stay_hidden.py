"""Corruption reports and cases of non-public categories appear on no public page or file: not
as a pin, not in a count, not in a total, not in an export — walked through the public endpoints
of every app at once (the map's own are walked in test_map_api.py)."""

import pytest

from casework.models import Category
from intake.services import filing_source_record
from portal.open_data_dump import open_data_dump
from projects.linking import case_link
from projects.selectors import project_page
from tests.projects.helpers import make_project

pytestmark = pytest.mark.django_db

HIDDEN_NAME = "Секретная-категория"


@pytest.fixture
def mixed(world):
    """Public and hidden cases on the same spot, inside a running project."""
    hidden_category = Category.objects.create(
        code="secret", name_kk=HIDDEN_NAME, name_ru=HIDDEN_NAME, name_en=HIDDEN_NAME, public=False
    )
    project = make_project(world)
    public = [world.case(), world.advance(world.case(), "assigned")]
    hidden = [
        world.advance(world.case(category=world.corruption), "under_review"),
        world.case(category=hidden_category),
    ]
    for case in public + hidden:
        case_link(case)
    # The digest of the address a complaint was filed from is for the abuse checks only.
    source = filing_source_record(public[0], "203.0.113.7")
    open_data_dump()
    return {"project": project, "public": public, "hidden": hidden, "source": source.source_key}


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_hidden_cases_are_in_no_public_page_count_or_file(client, mixed):
    code = mixed["project"].code
    paths = [
        "/",
        "/map/",
        "/api/public/map/?bbox=-180,-90,180,90&zoom=3",
        "/api/public/map/?bbox=-180,-90,180,90&zoom=19",
        "/api/public/map/figures/?bbox=-180,-90,180,90",
        f"/projects/{code}/",
        "/projects/",
        "/api/public/projects/",
        "/open-data/",
        "/open-data/cases.csv",
        "/open-data/cases.geojson",
        "/open-data/projects.csv",
        "/open-data/projects.oc4ids.json",
        "/ratings/",
        "/ratings/export.csv",
        "/open311/v2/requests.json",
    ]
    texts = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        texts[path] = _body(response)
    for case in mixed["hidden"]:
        for path, text in texts.items():
            assert case.tracking_code not in text, path
        assert client.get(f"/cases/{case.tracking_code}/").status_code == 404
    for path, text in texts.items():
        assert HIDDEN_NAME not in text, path
        assert mixed["source"] not in text and "203.0.113.7" not in text, path
    for case in mixed["public"]:
        assert case.tracking_code in texts["/open-data/cases.csv"]
        assert client.get(f"/cases/{case.tracking_code}/").status_code == 200
    # The project counts its public complaints only, though all four were linked.
    assert project_page(code).cases_count == len(mixed["public"])
    assert (
        mixed["public"][0].tracking_code in texts["/api/public/map/?bbox=-180,-90,180,90&zoom=19"]
    )
