import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Milestone, Project, ProjectDocument
from projects.services import (
    document_add,
    milestone_record,
    progress_record,
    project_update,
)
from tests.factories import image_upload
from tests.projects.helpers import days_ago, make_project, project_data

pytestmark = pytest.mark.django_db


def test_manager_of_the_region_creates_a_project_with_its_bbox_and_history(world):
    project = make_project(world, contracts=[world.contract])
    assert (project.min_lon, project.max_lat) == (57.1665, 50.2842)
    assert list(project.contracts.all()) == [world.contract]
    assert project.history.count() == 1
    assert project.history.first().history_user == world.manager


def test_officer_of_the_department_may_edit_but_not_of_another(world):
    project = make_project(world)
    project_update(project, actor=world.officer, data={"budget_source": "Республиканский"})
    with pytest.raises(PermissionDenied):
        project_update(project, actor=world.officer_build, data={"budget_source": "x"})
    with pytest.raises(PermissionDenied):
        project_update(project, actor=world.manager_b, data={"budget_source": "x"})
    with pytest.raises(PermissionDenied):
        project_update(project, actor=world.clerk, data={"budget_source": "x"})
    project.refresh_from_db()
    assert project.budget_source == "Республиканский"


def test_officer_cannot_move_a_project_to_another_department(world):
    project = make_project(world)
    with pytest.raises(PermissionDenied):
        project_update(project, actor=world.officer, data={"department": world.dep_a1_build})
    project.refresh_from_db()
    assert project.department == world.dep_a1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"geometry": {"type": "Polygon", "coordinates": [[[1, 1], [2, 2], [1, 1]]]}}, "geometry"),
        ({"geometry": {"type": "Point", "coordinates": [200, 10]}}, "geometry"),
        ({"budget_amount": -5}, "budget_amount"),
        ({"planned_year": 1990}, "planned_year"),
        ({"status": "dreaming"}, "status"),
        ({"title_ru": ""}, "title_ru"),
        ({"code": "Not a slug!"}, "code"),
    ],
)
def test_bad_project_data_is_refused_with_a_field_message_and_nothing_saved(
    world, overrides, field
):
    with pytest.raises(ValidationError) as caught:
        make_project(world, **overrides)
    assert field in caught.value.message_dict
    assert not Project.objects.exists()


def test_district_and_department_must_be_in_the_region(world):
    with pytest.raises(ValidationError) as caught:
        make_project(world, actor=world.manager, district=world.b1, department=world.dep_b1)
    assert {"district", "department"} <= set(caught.value.message_dict)


def test_duplicate_code_is_refused(world):
    make_project(world)
    with pytest.raises(ValidationError) as caught:
        make_project(world)
    assert "code" in caught.value.message_dict


def test_milestone_met_late_counts_its_days_late(world):
    project = make_project(world)
    milestone = milestone_record(
        project,
        actor=world.officer,
        data={
            "name_kk": "Асфальт",
            "name_ru": "Асфальт",
            "planned_start": days_ago(40),
            "planned_end": days_ago(20),
            "actual_start": days_ago(38),
            "actual_end": days_ago(13),
            "status": Milestone.Status.MET,
        },
    )
    assert milestone.days_late() == 7
    assert milestone.history.count() == 1


def test_unfinished_milestone_past_its_end_is_late_until_today(world):
    project = make_project(world)
    milestone = milestone_record(
        project,
        actor=world.manager,
        data={
            "name_kk": "Бордюр",
            "name_ru": "Бордюр",
            "planned_start": days_ago(10),
            "planned_end": days_ago(3),
        },
    )
    assert milestone.days_late() == 3
    assert milestone.days_late(today=days_ago(5)) == 0


@pytest.mark.parametrize(
    "data, field",
    [
        ({"planned_end": days_ago(50)}, "planned_end"),
        ({"status": Milestone.Status.MET}, "actual_end"),
        ({"actual_start": days_ago(30), "actual_end": days_ago(35)}, "actual_end"),
        ({"actual_start": days_ago(-3)}, "actual_start"),
    ],
)
def test_bad_milestone_is_refused(world, data, field):
    project = make_project(world)
    base = {
        "name_kk": "Кезең",
        "name_ru": "Этап",
        "planned_start": days_ago(40),
        "planned_end": days_ago(20),
    }
    with pytest.raises(ValidationError) as caught:
        milestone_record(project, actor=world.manager, data={**base, **data})
    assert field in caught.value.message_dict
    assert not Milestone.objects.exists()


def test_milestone_of_another_project_cannot_be_changed_through_this_one(world):
    project = make_project(world)
    other = make_project(world, code="aqt-yard-2")
    data = {"name_kk": "К", "name_ru": "Э"}
    data |= {"planned_start": days_ago(4), "planned_end": days_ago(1)}
    milestone = milestone_record(other, actor=world.manager, data=data)
    with pytest.raises(ValidationError):
        milestone_record(project, actor=world.manager, data=data, milestone=milestone)


def test_progress_derives_the_financial_percent_from_spent_and_budget(world):
    project = make_project(world)
    observation = progress_record(
        project,
        actor=world.officer,
        observed_on=days_ago(1),
        physical_percent="45.5",
        spent_amount="2500000",
        photos=[image_upload("site.jpg")],
    )
    assert observation.financial_percent(project.budget_amount) == Decimal("25.00")
    assert observation.photos.count() == 1
    assert observation.recorded_by == world.officer


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"physical_percent": "101"}, "physical_percent"),
        ({"physical_percent": "abc"}, "physical_percent"),
        ({"spent_amount": "-1"}, "spent_amount"),
        ({"observed_on": dt.date(2999, 1, 1)}, "observed_on"),
        ({"photos": [SimpleUploadedFile("x.jpg", b"not an image")]}, "photos"),
    ],
)
def test_bad_progress_is_refused(world, kwargs, field):
    project = make_project(world)
    args = {"observed_on": days_ago(1), "physical_percent": "10", "spent_amount": "100"}
    with pytest.raises(ValidationError) as caught:
        progress_record(project, actor=world.manager, **{**args, **kwargs})
    assert field in caught.value.message_dict
    assert not project.progress.exists()


def test_document_gets_the_sha256_of_its_bytes(world):
    project = make_project(world)
    document = document_add(
        project,
        actor=world.manager,
        document_type=ProjectDocument.Type.COMPLETION_CERTIFICATE,
        title="Акт приёмки",
        file=SimpleUploadedFile("act.pdf", b"%PDF-1.4 hello"),
    )
    assert document.sha256 == hashlib.sha256(b"%PDF-1.4 hello").hexdigest()


def test_document_with_unknown_type_is_refused(world):
    project = make_project(world)
    with pytest.raises(ValidationError) as caught:
        document_add(
            project,
            actor=world.manager,
            document_type="selfie",
            title="",
            file=SimpleUploadedFile("a.pdf", b"x"),
        )
    assert {"document_type", "title"} <= set(caught.value.message_dict)
    assert not ProjectDocument.objects.exists()


def test_contractor_cannot_create_a_project(world):
    with pytest.raises(PermissionDenied):
        make_project(world, actor=world.contractor_user)
    assert project_data(world)["code"] == "aqt-yard-1"
    assert not Project.objects.exists()
