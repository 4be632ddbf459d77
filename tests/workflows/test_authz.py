"""Authorization of every staff URL, including the holes viewflow's bundled UI once had:
another district's task, another flow's task id, bulk actions, others' claims."""

import sys
import types

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from casework.models import Case, CaseEvent
from contractors.services import work_order_issue
from tests.factories import image_upload
from workflows import services as workflow_services
from workflows.queues import active_task_of, queue_tasks

pytestmark = pytest.mark.django_db


def _other_flow():
    """A second flow in the same database, as another app might add one."""
    name = "workflows.other_flow_for_tests"
    if name not in sys.modules:
        module = types.ModuleType(name)
        sys.modules[name] = module
        exec(
            "from viewflow import this\n"
            "from viewflow.workflow import flow\n"
            "class OtherFlow(flow.Flow):\n"
            "    start = flow.StartHandle().Next(this.approve)\n"
            "    approve = flow.View(lambda request, **kwargs: None).Next(this.end)\n"
            "    end = flow.End()\n",
            module.__dict__,
        )
    return sys.modules[name].OtherFlow


def all_urls(case, task, photo):
    return {
        "home": ("get", reverse("workflows:home")),
        "inbox": ("get", reverse("workflows:inbox")),
        "inbox-unassign": ("post", reverse("workflows:inbox-unassign")),
        "queue": ("get", reverse("workflows:queue")),
        "queue-claim": ("post", reverse("workflows:queue-claim")),
        "archive": ("get", reverse("workflows:archive")),
        "cases": ("get", reverse("workflows:cases")),
        "case": ("get", reverse("workflows:case", args=[case.pk])),
        "case-action": ("get", reverse("workflows:case-action", args=[case.pk, "assign"])),
        "attachment": ("get", reverse("workflows:attachment", args=[case.pk, photo.pk])),
        "attachment-thumb": (
            "get",
            reverse("workflows:attachment-thumb", args=[case.pk, photo.pk]),
        ),
        "cases-export": ("get", reverse("workflows:cases-export")),
        "case-map": ("get", reverse("workflows:case-map")),
        "case-map-data": ("get", reverse("workflows:case-map-data") + "?bbox=0,0,1,1&zoom=3"),
        "cases-bulk": ("post", reverse("workflows:cases-bulk")),
        "cases-filter-save": ("post", reverse("workflows:cases-filter-save")),
        "cases-filter-delete": ("post", reverse("workflows:cases-filter-delete", args=[1])),
        "case-reveal": ("post", reverse("workflows:case-reveal", args=[case.pk])),
        "case-comment": ("post", reverse("workflows:case-comment", args=[case.pk])),
        "task": ("get", reverse("workflows:task", args=[task.pk])),
        "task-claim": ("post", reverse("workflows:task-claim", args=[task.pk])),
        "task-unassign": ("post", reverse("workflows:task-unassign", args=[task.pk])),
        "notices": ("get", reverse("workflows:notices")),
        "notices-read": ("post", reverse("workflows:notices-read")),
        "notice": ("get", reverse("workflows:notice", args=[1])),
        "dashboard": ("get", reverse("workflows:dashboard")),
        "escalations": ("get", reverse("workflows:escalations")),
    }


@pytest.fixture
def triage(world):
    case = world.case(photos=[image_upload()])
    return case, active_task_of(case), case.attachments.get()


def test_every_url_is_covered_here(triage):
    from workflows.urls import urlpatterns

    assert {p.name for p in urlpatterns} == set(all_urls(*triage))


def test_anonymous_visitors_are_sent_to_log_in_everywhere(client, triage):
    for name, (method, url) in all_urls(*triage).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_a_user_without_a_staff_role_is_refused_everywhere(client, triage):
    nobody = get_user_model().objects.create_user("nobody", password="x")
    client.force_login(nobody)
    for name, (method, url) in all_urls(*triage).items():
        assert getattr(client, method)(url).status_code == 403, name
    assert active_task_of(triage[0]).owner is None


def test_another_districts_clerk_cannot_see_take_or_act_on_the_task(client, world, triage):
    case, task, photo = triage
    client.force_login(world.clerk_a2)
    assert client.get(reverse("workflows:task", args=[task.pk])).status_code == 404
    assert client.post(reverse("workflows:task-claim", args=[task.pk])).status_code == 404
    response = client.post(
        reverse("workflows:task", args=[task.pk]),
        {"action": "assign", "department": world.dep_a2.pk},
    )
    assert response.status_code == 404
    assert client.get(reverse("workflows:case", args=[case.pk])).status_code == 404
    assert client.get(reverse("workflows:attachment", args=[case.pk, photo.pk])).status_code == 404
    response = client.post(
        reverse("workflows:case-action", args=[case.pk, "reject"]),
        {"reason_code": "spam", "reason": "x"},
    )
    assert response.status_code == 404
    assert task not in queue_tasks(world.clerk_a2)
    task.refresh_from_db()
    assert task.owner is None and task.status == STATUS.NEW
    assert Case.objects.get(pk=case.pk).state == "received"


def test_another_flows_task_id_is_not_found_anywhere(client, world, triage):
    other = _other_flow()
    process = other.start.run()
    foreign = Task.objects.get(process=process, flow_task=other.approve)
    assert foreign.status == STATUS.NEW and foreign.owner is None
    client.force_login(world.clerk)
    assert client.get(reverse("workflows:task", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("workflows:task-claim", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("workflows:task-unassign", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("workflows:queue-claim"), {"task": [foreign.pk]})
    assert response.status_code == 404
    from django.utils import translation

    with translation.override("en"), pytest.raises(Exception, match="No such task"):
        workflow_services.task_claim(foreign.pk, actor=world.clerk)
    foreign.refresh_from_db()
    assert foreign.owner is None and foreign.status == STATUS.NEW


def test_bulk_claim_is_all_or_nothing(client, world, triage):
    _case, mine, _photo = triage
    other_district = world.case(district=world.a2)
    theirs = active_task_of(other_district)
    client.force_login(world.clerk)
    response = client.post(reverse("workflows:queue-claim"), {"task": [mine.pk, theirs.pk]})
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.owner is None
    # A task someone else took meanwhile: 409, and the other one is not taken either.
    second = active_task_of(world.case())
    colleague = world.user("clerk", name="clerk_colleague", district=world.a1)
    workflow_services.task_claim(second.pk, actor=colleague)
    response = client.post(reverse("workflows:queue-claim"), {"task": [mine.pk, second.pk]})
    assert response.status_code == 409
    assert "clerk_colleague" in response.content.decode()
    mine.refresh_from_db()
    assert mine.owner is None
    response = client.post(reverse("workflows:queue-claim"), {"task": ["x"]})
    assert response.status_code == 400
    response = client.post(reverse("workflows:queue-claim"), {"task": [mine.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.owner == world.clerk and mine.status == STATUS.ASSIGNED


def test_nobody_gives_back_or_takes_over_a_colleagues_task(client, world):
    case = world.advance(world.case(), "assigned")
    task = active_task_of(case)
    workflow_services.task_claim(task.pk, actor=world.officer)
    client.force_login(world.officer2)
    assert client.post(reverse("workflows:task-unassign", args=[task.pk])).status_code == 403
    response = client.post(reverse("workflows:inbox-unassign"), {"task": [task.pk]})
    assert response.status_code == 403
    assert client.post(reverse("workflows:task-claim", args=[task.pk])).status_code == 409
    assert client.get(reverse("workflows:task", args=[task.pk])).status_code == 403
    response = client.post(
        reverse("workflows:task", args=[task.pk]),
        {"action": "notify_contractor", "contract": world.contract.pk},
    )
    assert response.status_code == 403
    # Acting from the case page would take the work from under the colleague: 409.
    response = client.post(
        reverse("workflows:case-action", args=[case.pk, "notify_contractor"]),
        {"contract": world.contract.pk, "version": case.event_seq},
    )
    assert response.status_code == 409
    task.refresh_from_db()
    assert task.owner == world.officer and task.status == STATUS.ASSIGNED
    assert Case.objects.get(pk=case.pk).state == "assigned"
    # The holder may give it back; then the colleague may take it.
    client.force_login(world.officer)
    assert client.post(reverse("workflows:task-unassign", args=[task.pk])).status_code == 302
    client.force_login(world.officer2)
    assert client.post(reverse("workflows:task-claim", args=[task.pk])).status_code == 302


def test_the_issuer_of_the_work_order_never_gets_its_verification(client, world):
    world.inspector.groups.add(world.officer.groups.first())  # inspector and officer at once
    case = world.advance(world.case(), "assigned")
    work_order_issue(case, actor=world.inspector, contract=world.contract)
    from casework import services

    services.case_report_repaired(
        case, actor=world.contractor_user, before=[image_upload()], after=[image_upload()]
    )
    task = active_task_of(case)
    assert task.flow_task.name == "verify"
    assert task not in queue_tasks(world.inspector)
    client.force_login(world.inspector)
    assert client.post(reverse("workflows:task-claim", args=[task.pk])).status_code == 403
    response = client.post(reverse("workflows:case-action", args=[case.pk, "verify"]), {})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == "repaired"


def test_contractor_sees_no_complainant_and_cannot_reveal(client, world):
    case = world.advance(world.case(), "contractor_notified")
    client.force_login(world.contractor_user)
    html = client.get(reverse("workflows:case", args=[case.pk])).content.decode()
    assert "Айгүл" not in html and "+7701" not in html
    assert reverse("workflows:case-reveal", args=[case.pk]) not in html
    response = client.post(reverse("workflows:case-reveal", args=[case.pk]), {"reason": "нужно"})
    assert response.status_code == 403
    assert not CaseEvent.objects.filter(case=case, action="complainant_revealed").exists()
    other = world.case()
    assert client.get(reverse("workflows:case", args=[other.pk])).status_code == 404


def test_an_officer_reveals_the_complainant_with_a_reason_only(client, world):
    case = world.advance(world.case(), "assigned")
    client.force_login(world.officer)
    response = client.post(reverse("workflows:case-reveal", args=[case.pk]), {"reason": ""})
    assert response.status_code == 400
    response = client.post(
        reverse("workflows:case-reveal", args=[case.pk]),
        {"reason": "Перезвонить заявителю и уточнить адрес дома"},
    )
    assert response.status_code == 200 and "+77011234567" in response.content.decode()
    assert CaseEvent.objects.filter(case=case, action="complainant_revealed").count() == 1


def test_case_actions_answer_403_409_404_like_the_api(client, world):
    case = world.case()
    client.force_login(world.officer)  # an officer may not route a new case
    assert client.get(reverse("workflows:case", args=[case.pk])).status_code == 404
    client.force_login(world.clerk)
    assert client.get(reverse("workflows:case-action", args=[case.pk, "verify"])).status_code == 403
    assert (
        client.get(reverse("workflows:case-action", args=[case.pk, "nonsense"])).status_code == 404
    )
    client.force_login(world.investigator)
    assert (
        client.post(reverse("workflows:case-action", args=[case.pk, "reopen"]), {}).status_code
        == 409
    )
    client.force_login(world.inspector)
    world.advance(case, "assigned")
    response = client.get(reverse("workflows:case-action", args=[case.pk, "verify"]))
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).state == "assigned"


def test_post_only_urls_refuse_get(client, world, triage):
    _case, task, _photo = triage
    client.force_login(world.clerk)
    for url in (
        reverse("workflows:task-claim", args=[task.pk]),
        reverse("workflows:task-unassign", args=[task.pk]),
        reverse("workflows:queue-claim"),
        reverse("workflows:inbox-unassign"),
    ):
        response = client.get(url)
        assert response.status_code == 405 and response["Allow"] == "POST"
    task.refresh_from_db()
    assert task.owner is None


def test_an_investigator_reads_the_case_but_not_the_task(client, world, triage):
    case, task, _photo = triage
    client.force_login(world.investigator)
    assert client.get(reverse("workflows:case", args=[case.pk])).status_code == 200
    assert client.get(reverse("workflows:task", args=[task.pk])).status_code == 403
    assert client.post(reverse("workflows:task-claim", args=[task.pk])).status_code == 403
    client.force_login(world.investigator_b)
    assert client.get(reverse("workflows:case", args=[case.pk])).status_code == 404
