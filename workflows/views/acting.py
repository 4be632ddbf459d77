"""Taking an action on a case from the staff application: the case page's buttons and the task
page share this. Refusals follow the API: 403 (may not), 409 (not from this state, changed
meanwhile, or a colleague has the task), 400 (the form); nothing is written on any of them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from casework.models import Case
from casework.selectors import cases_visible_to
from casework.services import TransitionConflict
from workflows import actions, queues
from workflows.evidence import evidence_for_step
from workflows.views.access import refuse


def _claim_refusal(case: Case, user, action: str) -> str | None:
    task = queues.claimed_by_other(case, user, action)
    if task is None:
        return None
    name = task.owner.get_full_name() or task.owner.get_username()
    return _("%(name)s has taken this task. Ask them, or wait until they give it back.") % {
        "name": name
    }


def _errors_into_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in field_errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def render_action(request, action, case, form, *, status=200, task=None, conflict=""):
    return render(
        request,
        "workflows/action.html",
        {
            "action": action,
            "label": actions.action_label(action, case),
            "case": case,
            "form": form,
            "task": task,
            "conflict": conflict,
            "evidence": evidence_for_step(case, [action.name]),
            "nav": "cases",
        },
        status=status,
    )


def attempt(request, action: actions.Action, case: Case, *, task=None):
    """Check, validate and perform `action` on `case` for the request's user."""
    user = request.user
    try:
        actions.authorise(action, case, user)
    except PermissionDenied as error:
        return refuse(request, 403, str(error) or _("You may not do this on this case."))
    except TransitionConflict as error:
        return refuse(request, 409, str(error))
    blocked = _claim_refusal(case, user, action.name)
    if blocked:
        return refuse(request, 409, blocked)
    if request.method != "POST":
        return render_action(request, action, case, action.form(case=case, user=user), task=task)
    form = action.form(request.POST, request.FILES, case=case, user=user)
    if not form.is_valid():
        return render_action(request, action, case, form, status=400, task=task)
    try:
        action.perform(case, user, form.cleaned_data)
    except PermissionDenied as error:
        return refuse(request, 403, str(error) or _("You may not do this on this case."))
    except TransitionConflict as error:
        fresh = Case.objects.get(pk=case.pk)
        return render_action(
            request,
            action,
            fresh,
            action.form(case=fresh, user=user),
            status=409,
            task=task,
            conflict=str(error),
        )
    except ValidationError as error:
        _errors_into_form(form, error)
        return render_action(request, action, case, form, status=400, task=task)
    messages.success(request, action.done_message)
    if cases_visible_to(user).filter(pk=case.pk).exists():
        return redirect("workflows:case", pk=case.pk)
    return redirect("workflows:inbox")
