import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects.geojson import feature_collection, features_json, features_python
from projects.linking import case_link
from projects.models import Milestone, Project
from projects.selectors import ProjectFilters, projects_filtered
from projects.services import document_add, milestone_record, progress_record
from tests.projects.helpers import ROAD, days_ago, make_project

pytestmark = pytest.mark.django_db


def test_project_page_shows_late_milestone_progress_spend_and_contractor(client, world):
    project = make_project(world, contracts=[world.contract])
    milestone_record(
        project,
        actor=world.manager,
        data={
            "name_kk": "Асфальт",
            "name_ru": "Укладка асфальта",
            "planned_start": days_ago(30),
            "planned_end": days_ago(10),
            "actual_start": days_ago(30),
            "actual_end": days_ago(3),
            "status": Milestone.Status.MET,
        },
    )
    progress_record(
        project,
        actor=world.manager,
        observed_on=days_ago(1),
        physical_percent=60,
        spent_amount=2_500_000,
    )
    page = client.get(f"/projects/{project.code}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="milestone late"' in html
    assert "7 days late" in html
    assert 'value="60.00"' in html
    assert "(25%)" in html
    assert world.contractor.legal_name in html
    assert page["ETag"] and page["Last-Modified"]


def test_project_page_answers_304_until_something_changes(client, world):
    project = make_project(world)
    first = client.get(f"/projects/{project.code}/")
    again = client.get(f"/projects/{project.code}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    document_add(
        project,
        actor=world.manager,
        document_type="other",
        title="Смета",
        file=SimpleUploadedFile("s.pdf", b"x"),
    )
    changed = client.get(f"/projects/{project.code}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert "Смета" in changed.content.decode()


def test_linked_complaints_are_counted_without_non_public_ones_or_names(client, world):
    project = make_project(world)
    public = world.case()
    secret = world.case(
        category=world.corruption, complainant={"name": "Тайный Свидетель", "phone": "+77010000000"}
    )
    case_link(public)
    case_link(secret)
    assert project.case_links.count() == 2
    html = client.get(f"/projects/{project.code}/").content.decode()
    assert 'data-complaints="1"' in html
    assert "Айгүл" not in html and "Тайный" not in html
    assert world.corruption.name_ru not in html


def test_unknown_project_is_404(client, world):
    assert client.get("/projects/nope/").status_code == 404


def test_list_filters_by_next_year_and_refuses_bad_filters(client, world):
    next_year = timezone.localdate().year + 1
    make_project(
        world, code="planned-next", planned_year=next_year, status=Project.Status.PREPARATION
    )
    make_project(world, code="this-year")
    html = client.get(f"/projects/?year={next_year}").content.decode()
    assert "/projects/planned-next/" in html and "/projects/this-year/" not in html
    assert client.get("/projects/?year=abc").status_code == 400
    assert client.get("/projects/?status=dreaming").status_code == 400


def test_list_filters_by_contractor_and_district(client, world):
    make_project(world, code="with-contract", contracts=[world.contract])
    make_project(world, code="other-district", district=world.a2, department=world.dep_a2)
    html = client.get(f"/projects/?contractor={world.contractor.pk}").content.decode()
    assert "/projects/with-contract/" in html and "/projects/other-district/" not in html
    html = client.get(f"/projects/?district={world.a2.pk}").content.decode()
    assert "/projects/other-district/" in html and "/projects/with-contract/" not in html


def test_geojson_twin_keeps_the_map_contract(client, world):
    make_project(world, code="yard")
    make_project(world, code="road", geometry=ROAD, sector=Project.Sector.ROADS)
    data = client.get("/api/public/projects/").json()
    assert data["type"] == "FeatureCollection"
    feature = {f["properties"]["code"]: f for f in data["features"]}["road"]
    assert feature["geometry"] == ROAD
    assert feature["properties"] == {
        "kind": "project",
        "count": 1,
        "code": "road",
        "title": "Благоустройство двора",
        "status": "implementation",
        "url": "/projects/road/",
    }
    only_road = client.get("/api/public/projects/?bbox=57.09,50.29,57.12,50.31").json()
    assert [f["properties"]["code"] for f in only_road["features"]] == ["road"]
    sector = client.get("/api/public/projects/?sector=transport.road").json()
    assert [f["properties"]["code"] for f in sector["features"]] == ["road"]


@pytest.mark.parametrize("kk", [True, False])
def test_geojson_features_written_by_the_database_equal_pythons(world, kk):
    make_project(world, code="yard", contracts=[world.contract])
    make_project(world, code="road", geometry=ROAD, title_kk="Жол «Абай»\n", title_ru='Дорога "А"')
    filters = [ProjectFilters(), ProjectFilters(contractor=world.contractor.pk)]
    for chosen in filters:
        projects = projects_filtered(chosen)
        written = features_json(projects, kk=kk, url_around=("/kk/projects/", "/"))
        built = features_python(projects, kk=kk, url_around=("/kk/projects/", "/"))
        assert [json.loads(f) for f in written] == [json.loads(f) for f in built]
        assert len(written) == (2 if chosen.contractor is None else 1)
    collection = json.loads(feature_collection(written))
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 1


@pytest.mark.parametrize(
    "query, field",
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=10,50,5,60", "bbox"),
        ("year=twenty", "year"),
        ("status=nope", "status"),
        ("district=x", "district"),
    ],
)
def test_geojson_twin_refuses_bad_params_with_400(client, world, query, field):
    response = client.get(f"/api/public/projects/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_document_is_downloadable_by_anyone(client, world):
    project = make_project(world)
    document = document_add(
        project,
        actor=world.manager,
        document_type="completionCertificate",
        title="Акт",
        file=SimpleUploadedFile("act.pdf", b"%PDF-1.4 act"),
    )
    response = client.get(f"/projects/{project.code}/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 act"
    assert client.get(f"/projects/other/documents/{document.pk}/").status_code == 404


def test_dates_are_local(world):
    assert isinstance(days_ago(0), dt.date)


def test_project_page_takes_the_same_number_of_queries_however_much_it_holds(
    client, world, django_assert_max_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = make_project(world, code="small")
    big = make_project(world, code="big", contracts=[world.contract, world.other_contract])
    for n in range(4):
        milestone_record(
            big,
            actor=world.manager,
            data={
                "name_kk": f"К{n}",
                "name_ru": f"Э{n}",
                "planned_start": days_ago(30),
                "planned_end": days_ago(20 - n),
            },
        )
        document_add(
            big,
            actor=world.manager,
            document_type="other",
            title=f"Д{n}",
            file=SimpleUploadedFile(f"d{n}.pdf", b"x"),
        )
        case_link(world.case())
    progress_record(
        big, actor=world.manager, observed_on=days_ago(1), physical_percent=5, spent_amount=1
    )
    counts = []
    for project in (small, big):
        cache.delete(f"projects:scorecards:{project.region_id}")
        client.get(f"/projects/{project.code}/")  # scorecards into the cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/projects/{project.code}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert big.case_links.count() == 4


def test_progress_photo_is_served_on_the_project_page(client, world):
    from tests.factories import image_upload

    project = make_project(world)
    observation = progress_record(
        project,
        actor=world.manager,
        observed_on=days_ago(1),
        physical_percent=10,
        spent_amount=1,
        photos=[image_upload("site.jpg")],
    )
    photo = observation.photos.get()
    html = client.get(f"/projects/{project.code}/").content.decode()
    assert f"/projects/{project.code}/photos/{photo.pk}/" in html
    response = client.get(f"/projects/{project.code}/photos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert client.get(f"/projects/other/photos/{photo.pk}/").status_code == 404


def test_list_and_twin_answer_304_until_a_project_changes(client, world):
    project = make_project(world)
    for path in ("/projects/", "/api/public/projects/?status=implementation"):
        first = client.get(path)
        assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        progress_record(
            project,
            actor=world.manager,
            observed_on=days_ago(1),
            physical_percent=1,
            spent_amount=1,
        )
        assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
