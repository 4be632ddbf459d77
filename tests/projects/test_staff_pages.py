import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Milestone, Project, ProjectDocument
from tests.projects.helpers import YARD, days_ago, make_project

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _form(world, **overrides):
    data = {
        "code": "aqt-new",
        "title_kk": "Жаңа аула",
        "title_ru": "Новый двор",
        "sector": Project.Sector.YARDS,
        "type": Project.Type.CONSTRUCTION,
        "status": Project.Status.PREPARATION,
        "region": world.region_a.pk,
        "district": world.a1.pk,
        "geometry": '{"type": "Point", "coordinates": [57.167, 50.284]}',
        "budget_amount": "5000000",
        "planned_year": "2027",
        "department": world.dep_a1.pk,
        "contracts": [world.contract.pk],
    }
    data.update(overrides)
    return data


def test_manager_creates_a_project_on_the_staff_page(client, world):
    response = _login(client, world.manager).post("/staff/projects/new/", _form(world))
    assert response.status_code == 302
    project = Project.objects.get(code="aqt-new")
    assert project.geometry == {"type": "Point", "coordinates": [57.167, 50.284]}
    assert list(project.contracts.all()) == [world.contract]


def test_bad_geometry_gets_a_400_with_the_field_message_and_nothing_saved(client, world):
    response = _login(client, world.manager).post(
        "/staff/projects/new/", _form(world, geometry='{"type": "Circle"}')
    )
    assert response.status_code == 400
    assert "GeoJSON Point, LineString or Polygon" in response.content.decode()
    assert not Project.objects.exists()


def test_clerk_and_anonymous_cannot_open_the_staff_pages(client, world):
    assert client.get("/staff/projects/").status_code == 302
    assert _login(client, world.clerk).get("/staff/projects/").status_code == 403


def test_officer_of_another_department_gets_404_for_the_project(client, world):
    project = make_project(world)
    response = _login(client, world.officer_build).get(f"/staff/projects/{project.code}/")
    assert response.status_code == 404


def test_officer_records_a_milestone_and_a_bad_one_is_refused(client, world):
    project = make_project(world)
    client = _login(client, world.officer)
    url = f"/staff/projects/{project.code}/milestones/"
    good = {
        "m-name_kk": "Асфальт",
        "m-name_ru": "Асфальт",
        "m-planned_start": days_ago(30).isoformat(),
        "m-planned_end": days_ago(10).isoformat(),
        "m-actual_start": days_ago(29).isoformat(),
        "m-actual_end": days_ago(4).isoformat(),
        "m-status": "met",
    }
    assert client.post(url, good).status_code == 302
    assert Milestone.objects.get().days_late() == 6
    bad = {**good, "m-planned_end": days_ago(40).isoformat()}
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "planned end cannot be before" in response.content.decode()
    assert Milestone.objects.count() == 1


def test_progress_and_document_forms(client, world):
    project = make_project(world)
    client = _login(client, world.manager)
    response = client.post(
        f"/staff/projects/{project.code}/progress/",
        {
            "p-observed_on": days_ago(1).isoformat(),
            "p-physical_percent": "40",
            "p-spent_amount": "1000000",
        },
    )
    assert response.status_code == 302
    assert project.progress.get().physical_percent == 40
    response = client.post(
        f"/staff/projects/{project.code}/progress/",
        {
            "p-observed_on": days_ago(1).isoformat(),
            "p-physical_percent": "140",
            "p-spent_amount": "1",
        },
    )
    assert response.status_code == 400
    assert project.progress.count() == 1
    response = client.post(
        f"/staff/projects/{project.code}/documents/",
        {
            "d-document_type": "completionCertificate",
            "d-title": "Акт",
            "d-file": SimpleUploadedFile("act.pdf", b"%PDF-1.4 act"),
        },
    )
    assert response.status_code == 302
    assert len(ProjectDocument.objects.get().sha256) == 64


def test_edit_page_shows_the_geometry_as_json(client, world):
    project = make_project(world)
    page = _login(client, world.manager).get(f"/staff/projects/{project.code}/").content.decode()
    assert "&quot;Polygon&quot;" in page
    assert YARD["type"] == "Polygon"


def test_milestone_of_another_project_is_404_on_the_staff_page(client, world):
    project = make_project(world)
    other = make_project(world, code="aqt-other")
    from projects.services import milestone_record

    milestone = milestone_record(
        other,
        actor=world.manager,
        data={
            "name_kk": "К",
            "name_ru": "Э",
            "planned_start": days_ago(5),
            "planned_end": days_ago(1),
        },
    )
    client = _login(client, world.manager)
    assert (
        client.get(f"/staff/projects/{project.code}/milestones/{milestone.pk}/").status_code == 404
    )
    assert client.get(f"/staff/projects/{other.code}/milestones/{milestone.pk}/").status_code == 200


def test_staff_menu_links_the_projects_for_managers(client, world):
    html = _login(client, world.manager).get("/staff/projects/").content.decode()
    assert 'href="/staff/projects/"' in html
