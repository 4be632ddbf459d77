import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from projects.models import Milestone
from projects.services import document_add, milestone_record, progress_record
from tests.projects.helpers import days_ago, make_project
from tests.shared_fixtures import shared_fixture

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.projects.urls_open_data")]


def _validator() -> Draft4Validator:
    folder = shared_fixture("oc4ids")
    package = json.loads((folder / "project-package-schema.json").read_text())
    project = json.loads((folder / "project-schema.json").read_text())
    registry = Registry().with_resource(project["id"], Resource.from_contents(project, DRAFT4))
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


def test_oc4ids_package_is_valid_against_the_published_schema(client, world):
    project = make_project(world, contracts=[world.contract])
    milestone_record(
        project,
        actor=world.manager,
        data={
            "name_kk": "Кезең",
            "name_ru": "Этап",
            "planned_start": days_ago(20),
            "planned_end": days_ago(5),
            "actual_start": days_ago(20),
            "actual_end": days_ago(2),
            "status": Milestone.Status.MET,
        },
    )
    progress_record(
        project, actor=world.manager, observed_on=days_ago(1), physical_percent=50, spent_amount=100
    )
    document_add(
        project,
        actor=world.manager,
        document_type="completionCertificate",
        title="Акт",
        file=SimpleUploadedFile("a.pdf", b"x"),
    )
    make_project(world, code="bare", description_ru="", district=None, department=None)
    response = client.get("/open-data/projects.oc4ids.json")
    assert response.status_code == 200
    package = response.json()
    errors = sorted(_validator().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    one = {p["id"]: p for p in package["projects"]}["aqt-yard-1"]
    assert one["sector"] == ["communityAmenities", "communityAmenities.yards"]
    assert one["milestones"][0]["status"] == "met"
    assert one["parties"][1]["roles"] == ["supplier"]


def test_validator_catches_a_broken_package(world):
    assert list(_validator().iter_errors({"uri": "x", "projects": [{"id": 1}]}))


def test_open_data_csv_has_the_documented_columns(client, world):
    make_project(world)
    text = client.get("/open-data/projects.csv").content.decode()
    header = text.split("\r\n", 1)[0].split(",")
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "projects-open-data.md"
    documented = doc.read_text()
    for column in header:
        assert f"`{column}`" in documented
