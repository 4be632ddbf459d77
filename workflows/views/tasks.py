"""A task's page, and taking tasks from the queue or giving them back (one or many at once)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.selectors import cases_visible_to
from workflows import actions, queues, services
from workflows.evidence import evidence_for_step
from workflows.views.access import post_only, refuse, staff_required, visible_case
from workflows.views.acting import attempt
from workflows.views.lists import counts


def _visible_task(request, pk: int):
    """The task, if it is a task of the case flow on a case the user may see."""
    task = queues.task_for(pk)
    if task is None:
        return None
    if not cases_visible_to(request.user).filter(pk=task.case_id).exists():
        return None
    return task


def _task_actions(task, case, user):
    names = task.flow_task.transitions
    return [a for a in actions.allowed_actions(case, user) if a.name in names]


def _forms(task, case, user):
    return [
        (action, actions.action_label(action, case), action.form(case=case, user=user))
        for action in _task_actions(task, case, user)
    ]


@staff_required
def task_page(request, pk: int):
    task = _visible_task(request, pk)
    if task is None:
        return refuse(request, 404, _("No such task, or it is not yours to see."))
    user = request.user
    mine = task.owner_id == user.pk and task.status in queues.MINE
    claimable = queues.may_claim(user, task)
    if not (mine or claimable or queues.may_release(user, task)):
        return refuse(request, 403, _("This task is for someone else."))
    case = visible_case(user, task.case_id)
    action_name = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST":
        if not mine:
            return refuse(request, 403, _("Take the task first."))
        if action_name not in task.flow_task.transitions or action_name not in actions.ACTIONS:
            return refuse(request, 400, _("This step has no such action."))
        return attempt(request, actions.ACTIONS[action_name], case, task=task)
    return render(
        request,
        "workflows/task.html",
        {
            "task": task,
            "case": case,
            "mine": mine,
            "claimable": claimable,
            "releasable": queues.may_release(user, task),
            "task_actions": _forms(task, case, user) if mine else [],
            # Judging a repair: its photos and every warning about them, before the buttons.
            "evidence": evidence_for_step(case, task.flow_task.transitions),
            "nav": "inbox" if mine else "queue",
            "counts": counts(user),
        },
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _task_ids(request) -> list[int]:
    raw = request.POST.getlist("task")
    try:
        return [int(value) for value in raw]
    except ValueError:
        raise ValidationError({"task": _("No such task.")}) from None


def _run(request, work, task_ids, done, fallback: str, *, single: bool):
    # Tasks of cases the user may not see are "no such task", whatever their state.
    visible = {t for t in task_ids if _visible_task(request, t) is not None}
    if task_ids and visible != set(task_ids):
        return refuse(request, 404, _("No such task, or it is not yours to see."))
    try:
        tasks = work(task_ids, actor=request.user)
    except PermissionDenied as error:
        return refuse(request, 403, str(error))
    except services.TaskConflict as error:
        return refuse(request, 409, str(error))
    except ValidationError as error:
        return refuse(request, 400, " ".join(error.messages))
    messages.success(request, done(len(tasks)))
    if single and work is services.tasks_claim:
        return redirect("workflows:task", pk=tasks[0].pk)
    return _back(request, fallback)


@staff_required
@post_only
def task_claim(request, pk: int):
    return _run(
        request,
        services.tasks_claim,
        [pk],
        lambda n: _("The task is yours now."),
        "workflows:inbox",
        single=True,
    )


@staff_required
@post_only
def task_unassign(request, pk: int):
    return _run(
        request,
        services.tasks_unassign,
        [pk],
        lambda n: _("The task is back in its queue."),
        "workflows:queue",
        single=True,
    )


@staff_required
@post_only
def bulk_claim(request):
    try:
        ids = _task_ids(request)
    except ValidationError as error:
        return refuse(request, 400, " ".join(error.messages))
    return _run(
        request,
        services.tasks_claim,
        ids,
        lambda n: ngettext("You took %(n)d task.", "You took %(n)d tasks.", n) % {"n": n},
        "workflows:inbox",
        single=False,
    )


@staff_required
@post_only
def bulk_unassign(request):
    try:
        ids = _task_ids(request)
    except ValidationError as error:
        return refuse(request, 400, " ".join(error.messages))
    return _run(
        request,
        services.tasks_unassign,
        ids,
        lambda n: (
            ngettext("%(n)d task is back in its queue.", "%(n)d tasks are back in their queues.", n)
            % {"n": n}
        ),
        "workflows:inbox",
        single=False,
    )
