import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.csv_io import COLUMNS, ImportRefused, projects_csv, projects_import
from projects.models import Project
from tests.projects.helpers import ROAD, make_project

pytestmark = pytest.mark.django_db


def _two_projects(world):
    make_project(world, contracts=[world.contract, world.other_contract], budget_amount="1234.5")
    make_project(
        world,
        code="aqt-road",
        geometry=ROAD,
        title_ru='Дорога "Север", км 1',
        description_ru="Строка 1\nстрока 2",
        district=None,
    )


def test_export_import_export_gives_the_same_bytes(world):
    _two_projects(world)
    first = projects_csv(Project.objects.all())
    Project.objects.all().delete()
    assert projects_import(first, actor=world.manager) == (2, 0)
    second = projects_csv(Project.objects.all())
    assert second.encode() == first.encode()
    history = Project.history.count()
    assert projects_import(second, actor=world.manager) == (0, 2)
    assert projects_csv(Project.objects.all()).encode() == first.encode()
    # Importing an unchanged export records no change.
    assert Project.history.count() == history


def test_bad_rows_are_named_and_nothing_is_imported(world):
    _two_projects(world)
    text = projects_csv(Project.objects.all())
    Project.objects.all().delete()
    lines = text.split("\r\n")
    lines.insert(2, lines[1].replace("aqt-road", "aqt-bad").replace("AQT", "NOPE", 1))
    lines.append(lines[1].replace("aqt-road", "aqt-bad2").replace('""LineString""', '""Blob""'))
    with pytest.raises(ImportRefused) as caught:
        projects_import("\r\n".join(lines), actor=world.manager)
    bad = {e.line: e for e in caught.value.errors}
    assert set(bad) == {3, 5}
    assert "region" in bad[3].messages[0]
    assert "geometry" in " ".join(bad[5].messages)
    assert not Project.objects.exists()


def test_import_refuses_projects_out_of_the_users_scope(world):
    _two_projects(world)
    text = projects_csv(Project.objects.all())
    Project.objects.all().delete()
    with pytest.raises(ImportRefused):
        projects_import(text, actor=world.manager_b)
    assert not Project.objects.exists()


def test_wrong_header_is_refused(world):
    with pytest.raises(ImportRefused):
        projects_import("code,title\r\nx,y\r\n", actor=world.manager)


def test_staff_import_page_lists_row_errors_with_400(client, world):
    client.force_login(world.manager)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    header = ",".join(COLUMNS)
    body = header + "\r\n" + "aqt-x" + "," * (len(COLUMNS) - 1) + "\r\n"
    response = client.post(
        "/staff/projects/import/", {"file": SimpleUploadedFile("p.csv", body.encode())}
    )
    assert response.status_code == 400
    assert "Line 2 (aqt-x)" in response.content.decode()
    assert not Project.objects.exists()


def test_staff_export_round_trips_through_the_pages(client, world):
    _two_projects(world)
    client.force_login(world.manager)
    exported = client.get("/staff/projects/export.csv").content
    response = client.post(
        "/staff/projects/import/", {"file": SimpleUploadedFile("p.csv", exported)}
    )
    assert response.status_code == 302
    assert client.get("/staff/projects/export.csv").content == exported
