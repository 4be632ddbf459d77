"""Writes of the workflow: claiming a task from a queue and giving it back.

Finishing a task is not here: a task finishes when its case takes a transition through a
casework service (`workflows.sync`). Claims lock the task rows, so two people clicking "claim" at
once get one task each way: one succeeds, the other is told who was faster (409).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from workflows import queues
from workflows.flows import CaseFlow


class TaskConflict(Exception):
    """The task is no longer in the state the action needs (HTTP 409)."""


def _locked(task_ids: Iterable[int]) -> list[Task]:
    ids = sorted({int(pk) for pk in task_ids})
    if not ids:
        raise ValidationError({"tasks": _("Choose at least one task.")})
    locked = list(
        Task.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, process__flow_class=CaseFlow, flow_task_type="HUMAN")
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise ValidationError({"tasks": _("No such task.")})
    # Re-read with the case at hand; the rows stay locked until the transaction ends.
    by_pk = {task.pk: task for task in queues.case_tasks().filter(pk__in=ids)}
    return [by_pk[pk] for pk in ids]


def _owner_name(task: Task) -> str:
    owner = task.owner
    return (owner.get_full_name() or owner.get_username()) if owner else ""


def tasks_claim(task_ids: Iterable[int], *, actor) -> list[Task]:
    """Take tasks from the actor's queue into their inbox: all of them, or none."""
    with transaction.atomic():
        tasks = _locked(task_ids)
        for task in tasks:
            if task.status != STATUS.NEW or task.owner_id is not None:
                if task.owner_id == actor.pk:
                    raise TaskConflict(_("You have already taken this task."))
                if task.owner_id is not None:
                    raise TaskConflict(
                        _("%(name)s has already taken this task.") % {"name": _owner_name(task)}
                    )
                raise TaskConflict(_("This task is already done."))
            if not queues.may_claim(actor, task):
                raise PermissionDenied(_("This task is not in your queue."))
        for task in tasks:
            task.flow_task.activation_class(task).assign(actor)
        return tasks


def tasks_unassign(task_ids: Iterable[int], *, actor) -> list[Task]:
    """Give tasks back to their queue: all of them, or none. Only the holder may (or an
    administrator)."""
    with transaction.atomic():
        tasks = _locked(task_ids)
        for task in tasks:
            if task.status not in queues.MINE:
                raise TaskConflict(_("This task is not taken by anyone."))
            if not queues.may_release(actor, task):
                raise PermissionDenied(_("Only the person who took this task may give it back."))
        for task in tasks:
            task.flow_task.activation_class(task).unassign()
        return tasks


def task_claim(task_id: int, *, actor) -> Task:
    return tasks_claim([task_id], actor=actor)[0]


def task_unassign(task_id: int, *, actor) -> Task:
    return tasks_unassign([task_id], actor=actor)[0]
