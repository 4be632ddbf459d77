"""The citizen's web form at /complain/ and the page with the tracking code after it."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from casework import services
from casework.models import Case
from intake import conf
from intake.forms import ComplaintForm, service_errors_to_form

log = logging.getLogger(__name__)
RATE_GROUP = "intake.complain"
SESSION_KEY = "intake_filed_case"


def _usage(request: HttpRequest, *, count: bool) -> dict | None:
    try:
        return get_usage(request, group=RATE_GROUP, key="ip", rate=conf.web_rate(), increment=count)
    except Exception:  # the cache (Redis) is down: take the complaint rather than lose it
        log.warning("rate limit cache unavailable; the web form is not limited meanwhile")
        return None


def _limit_reached(request: HttpRequest) -> bool:
    usage = _usage(request, count=False)
    return usage is not None and usage["count"] >= usage["limit"]


@require_http_methods(["GET", "POST"])
def complain(request: HttpRequest) -> HttpResponse:
    form = ComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        # Only complaints actually filed count against the address's allowance.
        if _limit_reached(request):
            return render(request, "intake/complain_limited.html", status=429)
        if form.is_valid():
            data = form.cleaned_data
            description = data["description"].strip()
            try:
                case = services.case_open(
                    title=data["title"] or description.splitlines()[0][:80],
                    description=description,
                    category=data["category"],
                    district=data["district"],
                    channel="web",
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    address=data["address"],
                    complainant={
                        "name": data["name"],
                        "phone": data["phone"],
                        "email": data["email"],
                        "language": (get_language() or "ru")[:2],
                    },
                    photos=data["photos"],
                )
            except ValidationError as exc:
                service_errors_to_form(form, exc)
            else:
                _usage(request, count=True)
                request.session[SESSION_KEY] = case.pk
                return redirect("intake:complain-done")
        return render(request, "intake/complain.html", {"form": form}, status=400)
    return render(request, "intake/complain.html", {"form": form})


def complain_done(request: HttpRequest) -> HttpResponse:
    case = Case.objects.filter(pk=request.session.get(SESSION_KEY)).first()
    if case is None:
        raise Http404("no complaint filed in this session")
    return render(request, "intake/complain_done.html", {"case": case})
