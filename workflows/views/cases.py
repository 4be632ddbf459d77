"""The case page, its photos, and the actions on a case (the list is in `case_list`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from casework import comments, roles, services
from casework.duplicates import case_duplicates_visible_to
from casework.media import file_response
from casework.models import Attachment, Escalation
from casework.selectors import may_see_complainant
from casework.states import CaseState
from contractors.models import WorkOrder
from contractors.selectors import case_evidence_flags
from oversight.display import acts_for_viewer
from oversight.profiles import may_open_pages
from workflows import actions, queues
from workflows.forms import RevealForm
from workflows.timeline import case_timeline
from workflows.views.access import post_only, refuse, staff_required, visible_case
from workflows.views.acting import attempt
from workflows.views.lists import counts


def _work_orders(case):
    return list(
        WorkOrder.objects.filter(case=case).select_related("contract", "contractor", "issued_by")
    )


def _process_steps(case):
    return list(
        Task.objects.filter(process__caseprocess__case=case, flow_task_type="HUMAN")
        .exclude(status=STATUS.CANCELED)
        .select_related("owner")
        .order_by("created", "id")
    )


# Who may ask for a case's dossier: the same roles as `reports.services.REPORT_ROLES` (the reports
# app checks again when the request arrives; tests/workflows/test_decision_page.py keeps the two
# in step).
DOSSIER_ROLES = frozenset({roles.MANAGER, roles.INVESTIGATOR})


def may_request_dossier(user) -> bool:
    return bool(user.is_superuser or DOSSIER_ROLES & roles.user_roles(user))


@staff_required
@never_cache
def case_page(request, pk: int):
    user = request.user
    case = visible_case(user, pk)
    if case is None:
        return refuse(request, 404, _("No such case, or it is not yours to see."))
    return _case_page(request, case)


def _case_page(request, case, *, comment_text: str = "", comment_error: str = "", status=200):
    user = request.user
    task = queues.active_task_of(case)
    attachments = list(case.attachments.order_by("uploaded_at", "id"))
    show_complainant = may_see_complainant(user)
    is_contractor = roles.CONTRACTOR in roles.user_roles(user)
    return render(
        request,
        "workflows/case.html",
        {
            "case": case,
            "task": task,
            "task_mine": bool(task and task.owner_id == user.pk),
            "task_claimable": bool(task and queues.may_claim(user, task)),
            "task_releasable": bool(task and queues.may_release(user, task)),
            "case_actions": [
                (action, actions.action_label(action, case))
                for action in actions.allowed_actions(case, user)
            ],
            "timeline": case_timeline(case, user),
            "attachments": attachments,
            "work_orders": _work_orders(case),
            "acts": acts_for_viewer(case, user),
            "steps": _process_steps(case),
            "escalations": list(
                Escalation.objects.filter(case=case, fired_at__isnull=False).order_by("fired_at")
            ),
            "show_complainant": show_complainant,
            "complainant": case.complainant if show_complainant else None,
            "may_reveal": actions.may_reveal(case, user),
            "reveal_form": RevealForm(),
            "duplicates": case_duplicates_visible_to(case, user)
            if case.state == CaseState.RECEIVED
            else [],
            "nav": "cases",
            "counts": counts(user),
            "is_contractor": is_contractor,
            # Staff see what the evidence checks found about the photos; a contractor does not.
            "evidence_flags": None if is_contractor else case_evidence_flags(case),
            "may_dossier": may_request_dossier(user),
            "may_open_files": may_open_pages(user),
            "may_comment": comments.commenting_role(user, case) is not None,
            "comment_text": comment_text,
            "comment_error": comment_error,
        },
        status=status,
    )


@staff_required
def case_action(request, pk: int, action: str):
    case = visible_case(request.user, pk)
    if case is None:
        return refuse(request, 404, _("No such case, or it is not yours to see."))
    if action not in actions.ACTIONS:
        return refuse(request, 404, _("No such action."))
    return attempt(request, actions.ACTIONS[action], case)


@staff_required
def attachment_file(request, pk: int, attachment: int):
    """Photos are served only to those who may see the case."""
    case = visible_case(request.user, pk)
    row = Attachment.objects.filter(pk=attachment, case_id=pk).first() if case else None
    if row is None:
        return refuse(request, 404, _("No such photo, or it is not yours to see."))
    try:
        return file_response(row.file.storage, row.file.name, content_type=row.content_type)
    except (FileNotFoundError, OSError):
        return refuse(request, 404, _("The photo file is missing."))


@staff_required
@post_only
@never_cache
def complainant_reveal(request, pk: int):
    case = visible_case(request.user, pk)
    if case is None:
        return refuse(request, 404, _("No such case, or it is not yours to see."))
    form = RevealForm(request.POST)
    if not form.is_valid():
        return refuse(request, 400, _("Say why you need the contact data."))
    try:
        contact = services.complainant_reveal(
            case, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except PermissionDenied as error:
        return refuse(request, 403, str(error))
    except ValidationError as error:
        return refuse(request, 400, " ".join(error.messages))
    return render(
        request,
        "workflows/complainant.html",
        {"case": case, "contact": contact, "nav": "cases", "counts": counts(request.user)},
    )


@staff_required
@post_only
@never_cache
def case_comment(request, pk: int):
    case = visible_case(request.user, pk)
    if case is None:
        return refuse(request, 404, _("No such case, or it is not yours to see."))
    try:
        event = comments.case_comment(case, actor=request.user, text=request.POST.get("text"))
    except PermissionDenied as error:
        return refuse(request, 403, str(error))
    except ValidationError as error:
        # The page again, with what was typed and why it was refused: nothing is lost.
        return _case_page(
            request,
            case,
            comment_text=request.POST.get("text", ""),
            comment_error=" ".join(error.messages),
            status=400,
        )
    return redirect(f"{reverse('workflows:case', args=[case.pk])}#event-{event.pk}")
