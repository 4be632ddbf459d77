"""The citizen's web form at /complain/ and the page with the tracking code after it."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from casework.client_ip import client_ip
from casework.models import Case
from intake import conf, placing, throttle
from intake.forms import ComplaintForm, service_errors_to_form
from intake.services import web_complaint_file

RATE_GROUP = "intake.complain"
SESSION_KEY = "intake_filed_case"


@require_http_methods(["GET", "POST"])
def complain(request: HttpRequest) -> HttpResponse:
    # Every attempt counts, refused ones too, and first of all: a client sending bad photos
    # runs out of attempts as fast as one filing complaints, and pays for no photo check after.
    if request.method == "POST" and throttle.spend(request, RATE_GROUP, conf.web_rate()):
        return render(request, "intake/complain_limited.html", status=429)
    initial = _point_asked(request) if request.method == "GET" else {}
    form = ComplaintForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            description = data["description"].strip()
            try:
                case = web_complaint_file(
                    source_address=client_ip(request),
                    title=data["title"] or description.splitlines()[0][:80],
                    description=description,
                    category=data["category"],
                    district=data["district"],
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
                request.session[SESSION_KEY] = case.pk
                return redirect("complain:done")
        return render(request, "intake/complain.html", _context(form), status=400)
    return render(request, "intake/complain.html", _context(form))


def _point_asked(request: HttpRequest) -> dict:
    """A point preset by a link (the public map's "report a problem here": ?lat=…&lon=…); a bad
    or partial one is ignored and the citizen picks the place as usual."""
    fields = ComplaintForm.base_fields
    try:
        latitude = fields["latitude"].clean(request.GET.get("lat", ""))
        longitude = fields["longitude"].clean(request.GET.get("lon", ""))
    except ValidationError:
        return {}
    if latitude is None or longitude is None:
        return {}
    return {"latitude": latitude, "longitude": longitude}


def _context(form: ComplaintForm) -> dict:
    # The map follows the district chosen, and offers the citizen's own location.
    centres = placing.map_centres()
    return {"form": form, "map_districts": json.dumps(centres) if centres else "", "locate": True}


def complain_done(request: HttpRequest) -> HttpResponse:
    case = Case.objects.filter(pk=request.session.get(SESSION_KEY)).first()
    if case is None:
        raise Http404("no complaint filed in this session")
    return render(request, "intake/complain_done.html", {"case": case})
