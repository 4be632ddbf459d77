"""The managers' pages: the dashboard (/staff/dashboard/) and the list of escalations
(/staff/escalations/). Figures and rows come from the reader's scope (`cases_visible_to`)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from casework import figures, roles
from casework.models import Escalation, EscalationLevel
from casework.selectors import cases_visible_to
from casework.states import CaseState
from workflows.dashboard import WIDTH, case_list_link, dashboard_build, month_label
from workflows.views.access import refuse, staff_required
from workflows.views.lists import counts

ESCALATIONS_PAGE = 50


def may_see_dashboard(user) -> bool:
    return bool(user.is_superuser or roles.MANAGER in roles.user_roles(user))


def manager_required(view):
    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_see_dashboard(request.user):
            return refuse(request, 403, _("This page is for managers."))
        return view(request, *args, **kwargs)

    return wrapper


@manager_required
def dashboard(request):
    user = request.user
    focus = None
    text = request.GET.get("month", "")
    if text:
        focus = figures.month_parse(text)
        if focus is None:
            return refuse(
                request,
                400,
                _("Give a month as YYYY-MM, not in the future (got “%(text)s”).") % {"text": text},
            )
    board = dashboard_build(cases_visible_to(user), focus)
    current = board.current
    return render(
        request,
        "workflows/dashboard.html",
        {
            "board": board,
            "width": WIDTH,
            "focus_label": month_label(board.focus),
            "month_choices": [(m.code, month_label(m)) for m in reversed(board.months)],
            "tiles": [
                (_("Received"), current.received, case_list_link(received=current.month.code)),
                (_("Closed"), current.closed, case_list_link(closed=current.month.code)),
                (_("Overdue now"), current.overdue, case_list_link(overdue_at=current.month.code)),
                (
                    _("Escalated to investigators"),
                    current.escalated[EscalationLevel.INVESTIGATORS],
                    case_list_link(
                        escalated=current.month.code, level=EscalationLevel.INVESTIGATORS
                    ),
                ),
            ],
            "current_label": month_label(current.month),
            "nav": "dashboard",
            "counts": counts(user),
        },
    )


def _stage_label(stage: str) -> str:
    return str(CaseState(stage).label) if stage in CaseState.values else stage


@manager_required
def escalations(request):
    user = request.user
    rows = (
        Escalation.objects.filter(
            fired_at__isnull=False, case__in=cases_visible_to(user).order_by().values("pk")
        )
        .select_related("case", "case__department", "case__district", "event__actor")
        .order_by("-fired_at", "-id")
    )
    level = request.GET.get("level", "")
    if level:
        if level not in {str(v) for v in EscalationLevel.values}:
            return refuse(request, 400, _("No such escalation level."))
        rows = rows.filter(level=int(level))
    page = Paginator(rows, ESCALATIONS_PAGE).get_page(request.GET.get("page"))
    query = {"level": level} if level else {}
    return render(
        request,
        "workflows/escalations.html",
        {
            "page": page,
            "rows": [(row, _stage_label(row.stage)) for row in page.object_list],
            "level": level,
            "levels": EscalationLevel.choices,
            "query": urlencode(query),
            "nav": "escalations",
            "counts": counts(user),
        },
    )
