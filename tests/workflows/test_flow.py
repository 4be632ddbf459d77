import pytest
from viewflow.workflow import STATUS

from casework import services
from casework.models import Case
from contractors.services import work_order_issue
from tests.factories import image_upload
from workflows.consistency import flow_problems
from workflows.models import CaseProcess
from workflows.queues import active_task_of, queue_tasks
from workflows.services import flow_resync
from workflows.sync import FlowOutOfStep

pytestmark = pytest.mark.django_db


def open_step(case):
    task = active_task_of(case)
    return task.flow_task.name if task else None


def test_case_open_puts_a_triage_task_in_the_district_clerks_queue(world):
    case = world.case()
    task = active_task_of(case)
    assert task.flow_task.name == "triage" and task.status == STATUS.NEW
    assert task in queue_tasks(world.clerk)
    assert task not in queue_tasks(world.clerk_a2)
    assert task not in queue_tasks(world.officer)
    assert flow_problems() == []


def test_each_step_moves_the_flow_to_the_next_people(world):
    case = world.case()
    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    assert open_step(case) == "plan_repair"
    assert active_task_of(case) in queue_tasks(world.officer)
    assert active_task_of(case) not in queue_tasks(world.officer_build)
    work_order_issue(case, actor=world.officer, contract=world.contract)
    assert open_step(case) == "repair"
    assert active_task_of(case) in queue_tasks(world.contractor_user)
    assert active_task_of(case) not in queue_tasks(world.other_contractor_user)
    services.case_report_repaired(
        case, actor=world.contractor_user, before=[image_upload()], after=[image_upload()]
    )
    assert open_step(case) == "verify"
    assert active_task_of(case) in queue_tasks(world.inspector)
    services.case_return_for_rework(case, actor=world.inspector, reason="Швы не залиты")
    assert open_step(case) == "repair"
    services.case_report_repaired(
        case, actor=world.contractor_user, before=[image_upload()], after=[image_upload()]
    )
    services.case_verify(case, actor=world.inspector)
    assert open_step(case) is None
    process = CaseProcess.objects.get(case=case)
    assert process.status == "DONE" and process.finished is not None
    done = list(
        process.task_set.filter(flow_task_type="HUMAN")
        .order_by("id")
        .values_list("owner__username", "status")
    )
    assert done == [
        ("clerk", "DONE"),
        ("officer", "DONE"),
        ("contractor", "DONE"),
        ("inspector", "DONE"),
        ("contractor", "DONE"),
        ("inspector", "DONE"),
    ]
    assert flow_problems() == []


def test_rejection_ends_the_process_and_reopen_starts_a_new_one(world):
    case = world.advance(world.case(), "rejected")
    assert open_step(case) is None
    services.case_reopen(case, actor=world.clerk, reason="Новые фото от заявителя")
    assert open_step(case) == "triage"
    assert CaseProcess.objects.filter(case=case).count() == 2
    verified = world.advance(world.case(), "verified")
    services.case_reopen(verified, actor=world.clerk, kind="warranty_defect", reason="Яма снова")
    assert open_step(verified) == "plan_repair"
    assert flow_problems() == []


def test_redirect_to_another_department_requeues_plan_repair_there(world):
    case = world.advance(world.case(), "assigned")
    services.case_assign(case, actor=world.officer, department=world.dep_a1_build, reason="Не наш")
    task = active_task_of(case)
    assert task.flow_task.name == "plan_repair"
    assert task in queue_tasks(world.officer_build) and task not in queue_tasks(world.officer)
    assert flow_problems() == []


def test_deadline_extension_leaves_the_task_alone(world):
    import datetime as dt

    case = world.advance(world.case(), "assigned")
    before = active_task_of(case)
    services.case_extend_deadline(
        case, actor=world.officer, new_due_at=case.due_at + dt.timedelta(days=5), decision="Закуп"
    )
    assert active_task_of(case) == before


def test_a_flow_failure_rolls_the_service_back(world, monkeypatch):
    case = world.case()
    from workflows import sync

    def broken(*args, **kwargs):
        raise FlowOutOfStep("simulated")

    monkeypatch.setattr(sync, "follow", broken)
    with pytest.raises(FlowOutOfStep):
        services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    assert Case.objects.get(pk=case.pk).state == "received"
    assert open_step(case) == "triage"


def test_check_flows_finds_a_case_out_of_step_and_repair_fixes_it(world):
    from django.core.management import CommandError, call_command

    case = world.case()
    task = active_task_of(case)
    task.status = STATUS.CANCELED  # as if someone had cancelled it by hand
    task.save()
    problems = flow_problems()
    assert [p.case_id for p in problems] == [case.pk]
    assert "expected triage" in problems[0].message
    with pytest.raises(CommandError, match="1 case"):
        call_command("check_flows")
    call_command("check_flows", "--repair")
    assert flow_problems() == []
    assert open_step(case) == "triage"
    flow_resync(case.pk)
    assert flow_problems() == []


def test_a_case_older_than_the_flow_is_adopted_at_its_next_change(world):
    from casework.signals import case_changed
    from workflows.sync import flow_follow_case

    case_changed.disconnect(flow_follow_case, dispatch_uid="workflows.sync.flow_follow_case")
    try:
        case = world.case()  # as if made before the workflow app was deployed
    finally:
        case_changed.connect(flow_follow_case, dispatch_uid="workflows.sync.flow_follow_case")
    assert not CaseProcess.objects.filter(case=case).exists()
    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    assert open_step(case) == "plan_repair"
    assert flow_problems() == []
