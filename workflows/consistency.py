"""The check that the flow agrees with the cases (`manage.py check_flows`).

For every open case: exactly one open process, exactly one open human task, the step its state
calls for, queued for the right people (the case's district, department or the contractor on
its current work order; for a corruption report, the region's investigators). For every closed
case: nothing open. Three queries in all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from viewflow.workflow import PROCESS, STATUS

from casework.models import Case, Department, District, Region
from casework.states import CLOSED_STATES
from contractors.models import Contractor, WorkOrder
from workflows.flows import CaseFlow, step_for
from workflows.models import CaseProcess
from workflows.queues import ACTIVE, case_tasks


@dataclass(frozen=True)
class Problem:
    case_id: int
    tracking_code: str
    message: str

    def __str__(self) -> str:
        return f"{self.tracking_code}: {self.message}"


def _expected_step(case: dict) -> str | None:
    return step_for(case["state"], case["category__corruption_report"])


def _expected_scope(
    case: dict, contractor_ct: int, district_ct: int, department_ct: int, region_ct: int
):
    step = _expected_step(case)
    if step in ("take_up_report", "review_report"):
        return (region_ct, case["region_id"])
    if step == "triage":
        return (district_ct, case["district_id"])
    if step == "repair":
        return (contractor_ct, case["contractor_id"])
    return (department_ct, case["department_id"])


def flow_problems(case_ids: list[int] | None = None) -> list[Problem]:
    cases = Case.objects.all()
    tasks = case_tasks().filter(status__in=(*ACTIVE, STATUS.ERROR))
    processes = CaseProcess.objects.filter(flow_class=CaseFlow, status=PROCESS.NEW)
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
        tasks = tasks.filter(process__caseprocess__case__in=case_ids)
        processes = processes.filter(case__in=case_ids)
    open_processes: dict[int, int] = defaultdict(int)
    for case_id in processes.values_list("case_id", flat=True).iterator(chunk_size=5000):
        open_processes[case_id] += 1
    open_tasks: dict[int, list[tuple]] = defaultdict(list)
    for row in tasks.values_list(
        "case_id",
        "flow_task",
        "status",
        "owner_permission_content_type_id",
        "owner_permission_obj_pk",
    ).iterator(chunk_size=5000):
        open_tasks[row[0]].append(row[1:])
    current_order = (
        WorkOrder.objects.filter(case=OuterRef("pk"))
        .exclude(status=WorkOrder.Status.SUPERSEDED)
        .order_by("-issued_at", "-id")
        .values("contractor_id")[:1]
    )
    cts = ContentType.objects.get_for_models(
        Contractor, District, Department, Region, for_concrete_models=False
    )
    scope_cts = (cts[Contractor].pk, cts[District].pk, cts[Department].pk, cts[Region].pk)
    problems = []
    rows = cases.annotate(contractor_id=Subquery(current_order)).values(
        "id",
        "tracking_code",
        "state",
        "region_id",
        "district_id",
        "department_id",
        "contractor_id",
        "category__corruption_report",
    )
    for case in rows.iterator(chunk_size=5000):
        found = open_tasks.get(case["id"], [])
        processes_open = open_processes.get(case["id"], 0)

        def problem(message: str, case=case) -> None:
            problems.append(Problem(case["id"], case["tracking_code"], message))

        if case["state"] in CLOSED_STATES:
            if found or processes_open:
                problem(
                    f"{case['state']} but {processes_open} open process(es) and "
                    f"{len(found)} open task(s)"
                )
            continue
        expected = _expected_step(case)
        if processes_open != 1:
            problem(f"{case['state']}: {processes_open} open processes, expected 1")
        if len(found) != 1:
            names = ", ".join(str(t[0].name) for t in found) or "none"
            problem(f"{case['state']}: open tasks {names}, expected {expected}")
            continue
        node, status, ct_id, obj_pk = found[0]
        if status == STATUS.ERROR:
            problem(f"{case['state']}: task {node.name} failed")
        elif node.name != expected:
            problem(f"{case['state']}: open task {node.name}, expected {expected}")
        else:
            want_ct, want_pk = _expected_scope(case, *scope_cts)
            if want_pk is None or (ct_id, str(obj_pk)) != (want_ct, str(want_pk)):
                problem(f"{case['state']}: task {node.name} is queued for the wrong people")
    return problems
