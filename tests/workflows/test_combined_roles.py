"""A staff member with two roles (a department officer who is also its inspector) works as each
role does alone, and the four-eyes rule still holds."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import Case
from casework.states import CaseState
from contractors.services import work_order_issue
from tests.factories import image_upload
from workflows import services as workflow_services
from workflows.forms import DATETIME_LOCAL
from workflows.queues import active_task_of, may_claim, queue_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(world):
    """An officer of dep_a1 who is also an inspector of it."""
    user = world.user("officer", name="officer_inspector", department=world.dep_a1)
    user.groups.add(Group.objects.get(name="inspector"))
    return user


def extend_form(case: Case) -> dict:
    new_due = timezone.localtime(case.due_at + dt.timedelta(days=3))
    return {
        "new_due_at": new_due.strftime(DATETIME_LOCAL),
        "decision": "Нужна экспертиза покрытия",
        "version": case.event_seq,
    }


def test_an_officer_inspector_extends_while_a_colleague_inspects(client, world, both):
    case = world.advance(world.case(), "repaired")
    workflow_services.task_claim(active_task_of(case).pk, actor=world.inspector)
    client.force_login(both)
    url = reverse("workflows:case-action", args=[case.pk, "extend_deadline"])
    assert client.get(url).status_code == 200
    response = client.post(url, extend_form(case))
    assert response.status_code == 302, response.content.decode()
    updated = Case.objects.get(pk=case.pk)
    assert updated.extension_count == 1 and updated.due_at > case.due_at
    # The colleague keeps their task.
    assert active_task_of(case).owner_id == world.inspector.pk


def test_a_colleagues_claim_still_stops_the_same_step(client, world, both):
    case = world.advance(world.case(), "repaired")
    workflow_services.task_claim(active_task_of(case).pk, actor=world.inspector)
    client.force_login(both)
    response = client.get(reverse("workflows:case-action", args=[case.pk, "verify"]))
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).state == CaseState.REPAIRED


def test_an_officer_inspector_never_verifies_their_own_order(client, world, both):
    case = world.advance(world.case(), "assigned")
    work_order_issue(case, actor=both, contract=world.contract)
    services.case_report_repaired(
        case, actor=world.contractor_user, before=[image_upload()], after=[image_upload()]
    )
    task = active_task_of(case)
    assert task.flow_task.name == "verify"
    assert not may_claim(both, task) and task not in queue_tasks(both)
    with pytest.raises(PermissionDenied):
        services.case_verify(case, actor=both)
    client.force_login(both)
    response = client.post(reverse("workflows:case-action", args=[case.pk, "verify"]), {})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == CaseState.REPAIRED
    # Another inspector may; and the officer-inspector verifies an order someone else issued.
    services.case_verify(case, actor=world.inspector)
    other = world.advance(world.case(), "repaired")
    assert may_claim(both, active_task_of(other))
    services.case_verify(other, actor=both)
    assert Case.objects.get(pk=other.pk).state == CaseState.VERIFIED
