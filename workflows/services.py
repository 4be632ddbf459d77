"""Writes of the workflow: claiming a task from a queue and giving it back, putting a case's
flow back in step, and a staff member's preferences.

Finishing a task is not here: a task finishes when its case takes a transition through a
casework service (`workflows.sync`). Claims lock the task rows, so two people clicking "claim" at
once get one task each way: one succeeds, the other is told who was faster (409).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from viewflow.workflow import PROCESS, STATUS
from viewflow.workflow.models import Task

from casework.services import case_lock
from casework.states import CLOSED_STATES
from workflows import queues
from workflows.flows import CaseFlow, step_for
from workflows.models import CaseProcess, SavedFilter, StaffPreference
from workflows.sync import ACTIVE, process_start

log = logging.getLogger(__name__)


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


def flow_resync(case_id: int) -> CaseProcess | None:
    """Put a case whose process is missing or wrong back in step: cancel its open tasks and
    processes and start a new process at the step its state calls for. For repairs found by
    `manage.py check_flows --repair`; normal operation never needs it."""
    with transaction.atomic():
        case = case_lock(case_id)
        for process in CaseProcess.objects.filter(case=case, status=PROCESS.NEW):
            for task in process.task_set.filter(status__in=ACTIVE):
                task.status = STATUS.CANCELED
                task.save(update_fields=["status"])
            process.status = PROCESS.CANCELED
            process.save(update_fields=["status"])
        if case.state in CLOSED_STATES:
            return None
        step = step_for(case.state, case.category.corruption_report)
        assert step is not None
        log.warning("case %s: flow restarted at %s", case, step)
        return process_start(case)


def staff_preference_set(user, *, language: str) -> StaffPreference:
    """Remember the language a staff member uses here: their e-mails follow it."""
    preference, _created = StaffPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference


# --- saved case list filters ------------------------------------------------------------------

FILTER_KEYS = ("q", "show", "category", "district", "department", "flagged", "sort")
SAVED_FILTERS_MAX = 50


def saved_filter_query(query: str) -> str:
    """The part of a case list query string worth keeping: the filters, not the page."""
    given = QueryDict(query.lstrip("?"))
    return urlencode([(key, given[key]) for key in FILTER_KEYS if given.get(key)])


def saved_filter_save(user, *, name: str, query: str) -> SavedFilter:
    """Keep the case list's filters under a name (the same name again replaces them)."""
    name = (name or "").strip()[:80]
    if not name:
        raise ValidationError({"name": _("Give the filter a name.")})
    kept = saved_filter_query(query or "")
    with transaction.atomic():
        existing = SavedFilter.objects.select_for_update().filter(user=user, name=name).first()
        if existing is not None:
            existing.query = kept
            existing.save(update_fields=["query"])
            return existing
        if SavedFilter.objects.filter(user=user).count() >= SAVED_FILTERS_MAX:
            raise ValidationError(
                {
                    "name": _("At most %(n)d saved filters; delete one first.")
                    % {"n": SAVED_FILTERS_MAX}
                }
            )
        try:
            with transaction.atomic():
                return SavedFilter.objects.create(user=user, name=name, query=kept)
        except IntegrityError:  # the same name saved at the same moment in another tab
            raise ValidationError({"name": _("A filter with this name exists.")}) from None


def saved_filter_delete(user, pk: int) -> None:
    """Delete one of the user's own saved filters (another's is "no such filter")."""
    deleted, _rows = SavedFilter.objects.filter(user=user, pk=pk).delete()
    if not deleted:
        raise ValidationError({"filter": _("No such saved filter.")})
