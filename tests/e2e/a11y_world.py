"""Data for the accessibility tests: a case at every step with its task taken by the person who
does that step, a red flag, an inquiry, a report run, a verified repair for the citizen, and the
pages each role works in (what each role sees first, and every kind of page it opens)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from casework import services
from contractors.selectors import current_work_order
from oversight.inquiries import evidence_add, inquiry_open, inquiry_party_add, sanction_propose
from oversight.models import RedFlagHit
from reports.models import ReportRun
from tests.oversight.conftest import Posts, accepted, deliver_all
from workflows import services as workflow_services
from workflows.queues import active_task_of


@dataclass
class StaffPages:
    """URLs per user name (with the status expected when it is not 200); `tasks` are the task
    pages (one per kind of step), by user name."""

    pages: dict[str, list[str | tuple[str, int]]] = field(default_factory=dict)
    tasks: dict[str, list[str]] = field(default_factory=dict)
    verified_case: object = None


def task_taken(case, user) -> str:
    task = active_task_of(case)
    workflow_services.task_claim(task.pk, actor=user)
    return f"/staff/tasks/{task.pk}/"


def staff_pages(world) -> StaffPages:
    posts = Posts(world)
    triage = world.case(title="Яма у школы № 12")
    planning = world.advance(world.case(title="Разбитый бордюр"), "assigned")
    repairing = world.advance(world.case(title="Провал асфальта"), "contractor_notified")
    checking = world.advance(world.case(title="Ямы у люков"), "repaired")
    corruption = world.case(title="Требовали деньги за ремонт", category=world.corruption)
    verified = world.advance(world.case(title="Яма у остановки"), "verified")

    # A red flag: a deadline extended twice.
    for _ in range(2):
        planning.refresh_from_db()
        services.case_extend_deadline(
            planning,
            actor=world.officer,
            new_due_at=planning.due_at + dt.timedelta(days=1),
            decision="Нужна экспертиза покрытия",
        )
    # An inquiry into an accepted repair that failed.
    failed, act = accepted(world, title="Ямы вернулись через месяц")
    services.case_reopen(
        failed, actor=world.officer, reason="Ямы вернулись", kind="warranty_defect"
    )
    deliver_all()
    assert RedFlagHit.objects.exists()
    inquiry = inquiry_open(
        actor=world.investigator,
        subjects=[act, posts.inspector],
        allegations="Инспектор принял ремонт, который развалился через месяц.",
        supervisor=world.manager,
    )
    evidence_add(inquiry, actor=world.investigator, act=act, description="Акт приёмки")
    evidence_add(inquiry, actor=world.investigator, act=act, description="Тот же акт, копия")
    inquiry_party_add(
        inquiry, actor=world.investigator, role="witness", identity={"name": "Сәуле Бекова"}
    )
    for kind in ("remark", "reprimand"):
        sanction_propose(
            inquiry,
            actor=world.investigator,
            target=posts.inspector,
            kind=kind,
            legal_basis="ст. 1",
        )
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.DOSSIER,
        case=checking,
        region=world.region_a,
        language="ru",
        requested_by=world.manager,
    )
    order = current_work_order(repairing)
    workflow_services.saved_filter_save(world.clerk, name="Мои ямы", query="category=pothole")

    result = StaffPages(verified_case=verified)
    result.tasks = {
        "clerk": [task_taken(triage, world.clerk)],
        "officer": [task_taken(planning, world.officer)],
        "contractor": [task_taken(repairing, world.contractor_user)],
        "inspector": [task_taken(checking, world.inspector)],
        "investigator": [task_taken(corruption, world.investigator)],
    }
    result.pages = {
        "clerk": [
            "/staff/inbox/",
            "/staff/queue/",
            "/staff/archive/",
            "/staff/cases/",
            "/staff/cases/?show=all&q=%D1%8F%D0%BC%D0%B0&sort=-code",
            f"/staff/cases/{triage.pk}/",
            f"/staff/cases/{triage.pk}/act/reject/",
            "/staff/map/",
            "/staff/notices/",
            "/intake/phone/",
            "/intake/errors/",
            ("/staff/red-flags/", 403),  # not a clerk's: the refusal page
        ],
        "officer": [
            "/staff/inbox/",
            f"/staff/cases/{planning.pk}/",
            f"/staff/cases/{planning.pk}/act/extend_deadline/",
            "/contractor/scorecards/",
        ],
        "inspector": ["/staff/inbox/", f"/staff/cases/{checking.pk}/"],
        "contractor": ["/contractor/", f"/contractor/orders/{order.pk}/", "/contractor/scorecard/"],
        "investigator": [
            "/staff/cases/?show=all&flagged=on",
            "/staff/red-flags/",
            "/staff/inquiries/",
            f"/staff/inquiries/{inquiry.pk}/",
            "/staff/officials/",
            f"/staff/officials/{posts.inspector.pk}/",
            "/staff/contractors/",
            f"/staff/contractors/{world.contractor.pk}/",
            "/reports/",
        ],
        "manager": [
            "/staff/dashboard/",
            "/staff/escalations/",
            "/reports/",
            f"/reports/runs/{run.pk}/",
            "/contractor/scorecards/",
            f"/staff/inquiries/{inquiry.pk}/",
        ],
    }
    return result
