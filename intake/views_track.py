"""The citizen's tracking page: /track/ (enter a code) and /track/<code>/, where the holder of
the case's link (with its access token) can also confirm or dispute the repair, or appeal a
rejection."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casework import services
from casework.models import Case
from casework.public import case_by_code, case_public_timeline, citizen_confirmed, token_matches
from casework.services import TransitionConflict
from casework.states import CaseState


@require_GET
def track_lookup(request):
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("intake:track", code=code.upper())
    return render(request, "intake/track_lookup.html")


def _page(request: HttpRequest, case: Case, token: str, *, status: int = 200, errors=None):
    owner = token_matches(case, token)
    confirmed = citizen_confirmed(case) if case.state == CaseState.VERIFIED else None
    return render(
        request,
        "intake/track.html",
        {
            "case": case,
            "timeline": case_public_timeline(case),
            "token": token if owner else "",
            "may_confirm": owner and case.state == CaseState.VERIFIED and confirmed is None,
            "confirmed": confirmed,
            "may_dispute": owner and case.state in (CaseState.VERIFIED, CaseState.REJECTED),
            "errors": errors or {},
        },
        status=status,
    )


def _case_or_404(code: str, token: str) -> Case:
    case = case_by_code(code, token)
    if case is None:
        raise Http404("no such tracking code")
    return case


@require_GET
def track_case(request, code: str):
    token = request.GET.get("t", "")
    case = _case_or_404(code, token)
    return _page(request, case, token)


def _acted(request: HttpRequest, case: Case, token: str, text: str):
    messages.success(request, text)
    return redirect(reverse("intake:track", args=[case.tracking_code]) + f"?t={token}")


def _refused(request: HttpRequest, case: Case, token: str, exc: Exception):
    if isinstance(exc, PermissionDenied):
        status, errors = (
            403,
            {"__all__": [str(exc) or _("This link does not belong to this case.")]},
        )
    elif isinstance(exc, TransitionConflict):
        status, errors = 409, {"__all__": [str(exc)]}
    else:
        assert isinstance(exc, ValidationError)
        status, errors = (
            400,
            exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages},
        )
    return _page(request, case, token, status=status, errors=errors)


@require_POST
def track_confirm(request, code: str):
    token = request.POST.get("t", "")
    case = _case_or_404(code, token)
    try:
        services.case_citizen_confirm(case, citizen_token=token, note=request.POST.get("note", ""))
    except (PermissionDenied, TransitionConflict) as exc:
        return _refused(request, case, token, exc)
    return _acted(request, case, token, _("Thank you: your confirmation is recorded."))


@require_POST
def track_dispute(request, code: str):
    """Dispute a verified repair, or appeal a rejection (the state tells which)."""
    token = request.POST.get("t", "")
    case = _case_or_404(code, token)
    if not token_matches(case, token):
        return _refused(request, case, token, PermissionDenied())
    try:
        services.case_reopen(
            case, actor=None, reason=request.POST.get("reason", ""), citizen_token=token
        )
    except (PermissionDenied, TransitionConflict, ValidationError) as exc:
        return _refused(request, case, token, exc)
    return _acted(
        request, case, token, _("Your complaint is reopened and goes back to the akimat.")
    )
