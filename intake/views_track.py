"""The citizen's tracking page: /track/ (enter a code) and /track/<code>/."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from casework.public import case_by_code, case_public_timeline


@require_GET
def track_lookup(request):
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("intake:track", code=code.upper())
    return render(request, "intake/track_lookup.html")


@require_GET
def track_case(request, code: str):
    token = request.GET.get("t")
    case = case_by_code(code, token)
    if case is None:
        raise Http404("no such tracking code")
    return render(
        request,
        "intake/track.html",
        {"case": case, "timeline": case_public_timeline(case), "token": token or ""},
    )
