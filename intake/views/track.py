"""The citizen's tracking page: /track/ (enter a code) and /track/<code>/.

The code alone shows the case's status and nothing else; the link the citizen was given (code
and access token) shows the public timeline and lets them confirm or dispute the repair, or
appeal a rejection. Someone walking codes learns as little as possible: every request counts
against the address's allowance, and an unknown code, a corruption report without its token
and a confirmation or dispute with a wrong token all get the same 404.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casework import services
from casework.media import file_response
from casework.models import Case
from casework.public import (
    case_by_code,
    case_public_after_photos,
    case_public_timeline,
    citizen_confirmed,
    token_matches,
)
from casework.services import TransitionConflict
from casework.states import CaseState
from intake import conf, throttle
from oversight.public import case_accountability_story

RATE_GROUP = "intake.track"


def _throttled(view):
    """Count every request to a case's page against the address's allowance; 429 beyond it."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, code: str):
        if throttle.spend(request, RATE_GROUP, conf.track_rate()):
            return render(request, "intake/track_limited.html", status=429)
        return view(request, code)

    return wrapped


@require_GET
def track_lookup(request):
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("track:case", code=code.upper())
    return render(request, "intake/track_lookup.html")


def _page(request: HttpRequest, case: Case, token: str, *, status: int = 200, errors=None):
    owner = token_matches(case, token)
    if not owner:
        return render(request, "intake/track_status.html", {"case": case}, status=status)
    confirmed = citizen_confirmed(case) if case.state == CaseState.VERIFIED else None
    may_confirm = case.state == CaseState.VERIFIED and confirmed is None
    return render(
        request,
        "intake/track.html",
        {
            "case": case,
            "timeline": case_public_timeline(case),
            "token": token,
            "may_confirm": may_confirm,
            "confirmed": confirmed,
            # The citizen judges the repair by what it looks like now.
            "after_photos": case_public_after_photos(case)
            if case.state == CaseState.VERIFIED
            else [],
            "may_dispute": case.state in (CaseState.VERIFIED, CaseState.REJECTED),
            "accountability": case_accountability_story(case),
            "errors": errors or {},
        },
        status=status,
    )


def _case_or_404(code: str, token: str, *, owner: bool = False) -> Case:
    """The case, or 404. With `owner`, only for the holder of the case's token: a wrong token
    looks exactly like an unknown code."""
    case = case_by_code(code, token)
    if case is None or (owner and not token_matches(case, token)):
        raise Http404("no such tracking code")
    return case


def _not_found(request: HttpRequest, code: str):
    """A mistyped code (or one not to be shown without its link): the lookup form again, with a
    word of help, and the same 404 whatever the reason."""
    return render(request, "intake/track_not_found.html", {"code": code[:40]}, status=404)


@require_GET
@_throttled
def track_case(request, code: str):
    token = request.GET.get("t", "")
    case = case_by_code(code, token)
    if case is None:
        return _not_found(request, code)
    return _page(request, case, token)


@require_GET
def track_photo(request, code: str, pk: int):
    """An "after" photo of the repair, for the holder of the case's link only (counted against
    the address's allowance like the page itself)."""
    if throttle.spend(request, RATE_GROUP, conf.track_rate()):
        return render(request, "intake/track_limited.html", status=429)
    token = request.GET.get("t", "")
    case = _case_or_404(code, token, owner=True)
    photo = next((a for a in case_public_after_photos(case) if a.pk == pk), None)
    if photo is None:
        raise Http404("no such photo")
    try:
        return file_response(photo.file.storage, photo.file.name, content_type=photo.content_type)
    except (FileNotFoundError, OSError):
        raise Http404("the photo file is missing") from None


def _acted(request: HttpRequest, case: Case, token: str, text: str):
    messages.success(request, text)
    return redirect(reverse("track:case", args=[case.tracking_code]) + f"?t={token}")


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
@_throttled
def track_confirm(request, code: str):
    token = request.POST.get("t", "")
    case = _case_or_404(code, token, owner=True)
    try:
        services.case_citizen_confirm(case, citizen_token=token, note=request.POST.get("note", ""))
    except (PermissionDenied, TransitionConflict) as exc:
        return _refused(request, case, token, exc)
    return _acted(request, case, token, _("Thank you: your confirmation is recorded."))


@require_POST
@_throttled
def track_dispute(request, code: str):
    """Dispute a verified repair, or appeal a rejection (the state tells which)."""
    token = request.POST.get("t", "")
    case = _case_or_404(code, token, owner=True)
    try:
        services.case_reopen(
            case, actor=None, reason=request.POST.get("reason", ""), citizen_token=token
        )
    except (PermissionDenied, TransitionConflict, ValidationError) as exc:
        return _refused(request, case, token, exc)
    return _acted(
        request, case, token, _("Your complaint is reopened and goes back to the akimat.")
    )
