"""Reads of tasks: whose queue a task is in, a user's inbox, queue and archive.

A task's queue is stored on it by viewflow's own fields: `owner_permission` holds the role and
`owner_permission_obj` the scope object (the district, department, contractor or region) it was
created for. Taking a task also needs the casework rules for its transitions (scope, four eyes),
so a queue never offers what the services would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from casework import permissions, roles
from casework.models import Case, Department, District, Region
from casework.scopes import NOTHING
from contractors.models import Contractor
from contractors.scope import _company_id
from workflows.flows import CaseFlow

ACTIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
MINE = (STATUS.ASSIGNED, STATUS.STARTED)


@dataclass(frozen=True)
class QueueKey:
    role: str
    content_type_id: int
    object_pk: str


def _contractor_id(user) -> int | None:
    return _company_id(user)


def user_queues(user) -> list[QueueKey]:
    """The queues `user` belongs to: one per role they hold, in that role's scope."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    held = roles.user_roles(user)
    profile = getattr(user, "staff_profile", None)
    keys = []

    def key(role: str, model, pk) -> None:
        if pk:
            ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
            keys.append(QueueKey(role, ct.pk, str(pk)))

    if profile is not None:
        if roles.CLERK in held:
            key(roles.CLERK, District, profile.district_id)
        if roles.OFFICER in held:
            key(roles.OFFICER, Department, profile.department_id)
        if roles.INSPECTOR in held:
            key(roles.INSPECTOR, Department, profile.department_id)
        if roles.INVESTIGATOR in held:
            key(roles.INVESTIGATOR, Region, profile.region_id)
    if roles.CONTRACTOR in held:
        key(roles.CONTRACTOR, Contractor, _contractor_id(user))
    return keys


def queue_q(keys: list[QueueKey]) -> Q:
    condition = NOTHING
    for k in keys:
        condition |= Q(
            owner_permission=k.role,
            owner_permission_content_type_id=k.content_type_id,
            owner_permission_obj_pk=k.object_pk,
        )
    return condition


def task_queue_key(task: Task) -> QueueKey | None:
    if not task.owner_permission or task.owner_permission_content_type_id is None:
        return None
    return QueueKey(
        task.owner_permission,
        task.owner_permission_content_type_id,
        str(task.owner_permission_obj_pk),
    )


def case_tasks() -> QuerySet[Task]:
    """Human tasks of the case flow, with their process and case at hand."""
    return (
        Task.objects.filter(process__flow_class=CaseFlow, flow_task_type="HUMAN")
        .select_related(
            "owner",
            "process__caseprocess__case__district",
            "process__caseprocess__case__category",
            "process__caseprocess__case__department",
        )
        .annotate(case_id=F("process__caseprocess__case_id"))
    )


def task_case(task: Task) -> Case:
    return task.process.caseprocess.case


def _by_urgency(tasks: QuerySet[Task]) -> QuerySet[Task]:
    due = F("process__caseprocess__case__stage_due_at")
    return tasks.order_by(due.asc(nulls_last=True), "created", "id")


def inbox_tasks(user) -> QuerySet[Task]:
    return _by_urgency(case_tasks().filter(owner=user, status__in=MINE))


def queue_tasks(user) -> QuerySet[Task]:
    keys = user_queues(user)
    tasks = case_tasks().filter(status=STATUS.NEW, owner__isnull=True).filter(queue_q(keys))
    # Four eyes: an inspector never sees the repair of a work order they issued.
    tasks = tasks.exclude(
        owner_permission=roles.INSPECTOR,
        process__caseprocess__case__work_order_issued_by=user,
    )
    return _by_urgency(tasks)


def archive_tasks(user) -> QuerySet[Task]:
    return case_tasks().filter(owner=user, status=STATUS.DONE).order_by("-finished", "-id")


def task_for(pk: int) -> Task | None:
    """A task of the case flow by id; tasks of any other flow do not exist here."""
    return case_tasks().filter(pk=pk).first()


def active_task_of(case: Case) -> Task | None:
    return case_tasks().filter(process__caseprocess__case=case, status__in=ACTIVE).first()


def in_queue(user, task: Task) -> bool:
    key = task_queue_key(task)
    return key is not None and key in user_queues(user)


def may_act_on(user, task: Task) -> bool:
    """Whether casework lets `user` take one of the task's transitions on its case now."""
    case = task_case(task)
    return any(permissions.may_transition(name, case, user) for name in task.flow_task.transitions)


def may_claim(user, task: Task) -> bool:
    return (
        task.status == STATUS.NEW
        and task.owner_id is None
        and in_queue(user, task)
        and may_act_on(user, task)
    )


def may_release(user, task: Task) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return task.status in MINE and (task.owner_id == user.pk or user.is_superuser)


def claimed_by_other(case: Case, user, action: str) -> Task | None:
    """The case's open task when someone else has claimed it, `action` is one of that task's
    steps and `user` is in its queue: acting then would take the work from under a colleague.
    An action that finishes no task (a deadline extension) takes nothing from anyone, whichever
    other queues the user's other roles put them in."""
    task = active_task_of(case)
    if task is None or task.owner_id in (None, user.pk):
        return None
    if action not in task.flow_task.transitions:
        return None
    return task if in_queue(user, task) else None
