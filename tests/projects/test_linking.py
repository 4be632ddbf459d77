import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from projects.linking import case_link, project_link_cases
from projects.models import Project, ProjectCase
from projects.services import project_update
from tests.projects.helpers import ROAD, make_project

pytestmark = pytest.mark.django_db


def _linked(project) -> set[int]:
    return set(ProjectCase.objects.filter(project=project).values_list("case_id", flat=True))


def test_case_opened_inside_a_running_project_is_linked_after_commit(
    world, django_capture_on_commit_callbacks
):
    project = make_project(world)
    with django_capture_on_commit_callbacks(execute=True):
        inside = world.case(latitude="50.283900", longitude="57.167000")
        far = world.case(latitude="50.290000", longitude="57.167000")
    assert _linked(project) == {inside.pk}
    assert far.pk not in _linked(project)


def test_case_within_the_buffer_of_a_road_is_linked_and_beyond_it_is_not(world, settings):
    settings.PROJECT_CASE_BUFFER_M = 30
    project = make_project(world, geometry=ROAD)
    # 0.0002° of latitude is about 22 m; 0.0004° about 44 m.
    near = world.case(latitude="50.300200", longitude="57.105000")
    beyond = world.case(latitude="50.300400", longitude="57.105000")
    project_link_cases(project)
    assert _linked(project) == {near.pk}
    settings.PROJECT_CASE_BUFFER_M = 50
    project_link_cases(project)
    assert _linked(project) == {near.pk, beyond.pk}


def test_completed_project_takes_complaints_only_while_under_warranty(world):
    today = timezone.localdate()
    project = make_project(
        world, status=Project.Status.COMPLETED, warranty_until=today + dt.timedelta(days=30)
    )
    case = world.case()
    assert case_link(case) == 1
    expired = make_project(
        world,
        code="aqt-old",
        status=Project.Status.COMPLETED,
        warranty_until=today - dt.timedelta(days=1),
    )
    late = world.case()
    case_link(late)
    assert late.pk in _linked(project)
    assert late.pk not in _linked(expired)


def test_planned_project_takes_no_complaints(world):
    project = make_project(world, status=Project.Status.PREPARATION)
    case = world.case()
    assert case_link(case) == 0
    assert not _linked(project)


def test_recompute_command_links_existing_cases_and_drops_moved_ones(world):
    project = make_project(world, status=Project.Status.PREPARATION)
    case = world.case()
    project_update(project, actor=world.manager, data={"status": Project.Status.IMPLEMENTATION})
    call_command("projects_link_cases")
    assert _linked(project) == {case.pk}
    project_update(project, actor=world.manager, data={"geometry": ROAD})
    call_command("projects_link_cases", project=project.code)
    assert _linked(project) == set()


def test_linking_twice_makes_no_second_link(world):
    project = make_project(world)
    case = world.case()
    case_link(case)
    assert case_link(case) == 0
    assert _linked(project) == {case.pk}


def test_staff_case_page_names_the_linked_project(client, world):
    from django.urls import reverse

    project = make_project(world)
    case = world.case()
    case_link(case)
    client.force_login(world.clerk)
    html = client.get(reverse("workflows:case", args=[case.pk])).content.decode()
    assert f'href="/projects/{project.code}/"' in html
