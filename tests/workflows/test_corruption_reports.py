"""Corruption reports go to the anti-corruption investigators of the case's region and follow
their own short flow (received -> under review -> referred / closed with an answer), never a
department's or a contractor's."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from viewflow.workflow import STATUS

from casework import services
from casework.models import Case, CaseEvent
from casework.public import case_public_timeline
from casework.selectors import cases_visible_to
from casework.states import CaseState
from contractors.services import work_order_issue
from tests.workflows.conftest import deliver_all
from workflows.consistency import flow_problems
from workflows.queues import active_task_of, inbox_tasks, queue_tasks

pytestmark = pytest.mark.django_db

ANSWER = "Ваше сообщение проверено: нарушений при приёмке не выявлено."


@pytest.fixture
def report(world):
    return world.case(
        category=world.corruption,
        title="Взятка при приёмке",
        channel="web",
        complainant={"name": "Айгүл", "email": "aigul@example.kz", "language": "ru"},
    )


def queued_cases(user) -> set[int]:
    return {task.case_id for task in queue_tasks(user)}


def test_a_new_corruption_report_waits_in_the_regions_investigators_queue(world, report):
    task = active_task_of(report)
    assert task.flow_task.name == "take_up_report"
    assert queued_cases(world.investigator) == {report.pk}
    # Nobody else's queue: not the district's clerks, not another region's investigators.
    for user in (world.clerk, world.officer, world.inspector, world.investigator_b):
        assert report.pk not in queued_cases(user)
    assert flow_problems([report.pk]) == []


def test_a_complaint_still_goes_to_the_clerks_not_to_the_investigators(world):
    pothole = world.case()
    assert active_task_of(pothole).flow_task.name == "triage"
    assert pothole.pk in queued_cases(world.clerk)
    assert pothole.pk not in queued_cases(world.investigator)
    with pytest.raises(PermissionDenied):
        services.case_review_start(pothole, actor=world.investigator)


def test_a_corruption_report_is_never_routed_to_a_department_or_a_contractor(world, report):
    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        services.case_assign(report, actor=world.clerk, department=world.dep_a1)
    assert "never routed to a department" in str(refused.value)
    with pytest.raises(PermissionDenied):
        services.case_reject(report, actor=world.clerk, reason_code="spam", reason="Реклама")
    services.case_review_start(report, actor=world.investigator)
    with pytest.raises(PermissionDenied):
        work_order_issue(report, actor=world.officer, contract=world.contract)
    report.refresh_from_db()
    assert report.state == CaseState.UNDER_REVIEW and report.department_id is None
    for user in (world.officer, world.inspector, world.contractor_user):
        assert not cases_visible_to(user).filter(pk=report.pk).exists()
        assert report.pk not in queued_cases(user)
        assert not inbox_tasks(user).filter(process__caseprocess__case=report).exists()


def test_the_api_refuses_to_route_a_corruption_report(client, world, report):
    client.force_login(world.clerk)
    response = client.post(
        f"/api/v1/cases/{report.pk}/transitions/assign/",
        data=json.dumps({"department": world.dep_a1.pk}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=report.pk).state == CaseState.RECEIVED


def test_the_investigator_who_takes_it_up_keeps_the_review(world, report):
    services.case_review_start(report, actor=world.investigator, note="Беру в работу")
    task = active_task_of(report)
    assert task.flow_task.name == "review_report"
    assert task.owner_id == world.investigator.pk and task.status == STATUS.ASSIGNED
    assert inbox_tasks(world.investigator).filter(pk=task.pk).exists()
    report.refresh_from_db()
    # The same deadlines: the 15 working days for the answer run on, the review is due with it.
    assert report.stage_due_at == report.due_at
    assert flow_problems([report.pk]) == []


def test_closed_with_an_answer_reaches_the_citizen(client, world, report, smtp):
    services.case_review_start(report, actor=world.investigator)
    services.case_answer(report, actor=world.investigator, answer=ANSWER)
    report.refresh_from_db()
    assert report.state == CaseState.ANSWERED and report.closed_at is not None
    assert active_task_of(report) is None and flow_problems([report.pk]) == []
    deliver_all()
    bodies = [m.get_content() for m in smtp.to("aigul@example.kz")]
    assert any(ANSWER in body for body in bodies)
    timeline = case_public_timeline(report)
    assert timeline[-1].detail == ANSWER
    page = client.get(
        reverse("track:case", args=[report.tracking_code]), {"t": report.access_token}
    )
    assert ANSWER in page.content.decode()


def test_a_referral_names_the_body_and_answers_the_citizen(world, report):
    services.case_review_start(report, actor=world.investigator)
    services.case_refer(
        report, actor=world.investigator, referred_to="Прокуратура области", answer=ANSWER
    )
    report.refresh_from_db()
    assert report.state == CaseState.REFERRED
    event = CaseEvent.objects.get(case=report, action="refer")
    assert event.payload["referred_to"] == "Прокуратура области" and event.reason == ANSWER
    assert case_public_timeline(report)[-1].detail == ANSWER
    assert flow_problems([report.pk]) == []


def test_only_the_regions_investigators_review_it(world, report):
    for user in (world.investigator_b, world.clerk, world.manager, world.officer):
        with pytest.raises(PermissionDenied):
            services.case_review_start(report, actor=user)
    services.case_review_start(report, actor=world.investigator)
    with pytest.raises(PermissionDenied):
        services.case_answer(report, actor=world.investigator_b, answer=ANSWER)


def test_the_investigator_extends_a_reports_deadline_and_the_officer_may_not(world, report):
    services.case_review_start(report, actor=world.investigator)
    report.refresh_from_db()
    later = report.due_at + dt.timedelta(days=3)
    with pytest.raises(PermissionDenied):
        services.case_extend_deadline(
            report, actor=world.officer, new_due_at=later, decision="Нужны документы"
        )
    services.case_extend_deadline(
        report, actor=world.investigator, new_due_at=later, decision="Запрошены документы"
    )
    report.refresh_from_db()
    assert report.due_at == later == report.stage_due_at
    # And an investigator does not extend an ordinary complaint's deadline.
    pothole = world.advance(world.case(), "assigned")
    with pytest.raises(PermissionDenied):
        services.case_extend_deadline(
            pothole,
            actor=world.investigator,
            new_due_at=pothole.due_at + dt.timedelta(days=1),
            decision="Нет",
        )


def test_the_investigator_works_the_report_in_the_staff_application(client, world, report):
    client.force_login(world.investigator)
    task = active_task_of(report)
    assert (
        reverse("workflows:task", args=[task.pk])
        in client.get(reverse("workflows:queue")).content.decode()
    )
    response = client.post(reverse("workflows:task-claim", args=[task.pk]))
    assert response.status_code == 302
    response = client.post(
        reverse("workflows:task", args=[task.pk]),
        {"action": "review_start", "note": "", "version": report.event_seq},
    )
    assert response.status_code == 302, response.content.decode()
    review = active_task_of(report)
    html = client.get(reverse("workflows:task", args=[review.pk])).content.decode()
    assert 'value="refer"' in html and 'value="answer"' in html
    report.refresh_from_db()
    response = client.post(
        reverse("workflows:task", args=[review.pk]),
        {"action": "answer", "answer": ANSWER, "version": report.event_seq},
    )
    assert response.status_code == 302, response.content.decode()
    assert Case.objects.get(pk=report.pk).state == CaseState.ANSWERED
