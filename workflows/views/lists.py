"""Inbox (my tasks), Queue (my groups' untaken tasks) and Archive (what I finished)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from casework import roles
from workflows import queues
from workflows.views.access import staff_required

TASK_ROLES = frozenset(
    {roles.CLERK, roles.OFFICER, roles.INSPECTOR, roles.CONTRACTOR, roles.INVESTIGATOR}
)
PAGE_SIZE = 50
COUNT_CAP = 100


def has_tasks(user) -> bool:
    return bool(TASK_ROLES & roles.user_roles(user))


def counts(user) -> dict[str, int]:
    if not has_tasks(user):
        return {}
    # Capped: the menu shows "99+" rather than counting a queue of thousands on every page.
    return {
        "inbox": queues.inbox_tasks(user).order_by()[:COUNT_CAP].count(),
        "queue": queues.queue_tasks(user).order_by()[:COUNT_CAP].count(),
    }


def _task_page(request, template: str, tasks, nav: str, **extra):
    paginator = Paginator(tasks, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [{"task": task, "case": queues.task_case(task)} for task in page.object_list]
    return render(
        request,
        template,
        {"page": page, "rows": rows, "nav": nav, "counts": counts(request.user), **extra},
    )


def contractor_only(user) -> bool:
    """A contractor's staff member with no other role: they work in the portal."""
    return roles.user_roles(user) == {roles.CONTRACTOR} and not user.is_superuser


@staff_required
def home(request):
    if contractor_only(request.user):
        return redirect("contractors:orders")
    if has_tasks(request.user):
        return redirect("workflows:inbox")
    if roles.MANAGER in roles.user_roles(request.user):
        return redirect("workflows:dashboard")
    return redirect("workflows:cases")


@staff_required
def inbox(request):
    return _task_page(request, "workflows/inbox.html", queues.inbox_tasks(request.user), "inbox")


@staff_required
def queue(request):
    return _task_page(request, "workflows/queue.html", queues.queue_tasks(request.user), "queue")


@staff_required
def archive(request):
    return _task_page(
        request, "workflows/archive.html", queues.archive_tasks(request.user), "archive"
    )
