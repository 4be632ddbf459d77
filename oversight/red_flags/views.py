"""The investigator's red-flag queue in the staff application: `/staff/red-flags/`, filters, and a
dismiss form per hit. Investigators only (403 for other staff); a hit outside the investigator's
region is a 404. Reads through `red_flag_queue`, writes through `red_flag_dismiss`."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import roles
from casework.models import District
from oversight.models import RedFlagHit
from oversight.red_flags.queue import (
    FILTERS,
    hit_person_post,
    hits_visible_to,
    red_flag_dismiss,
    red_flag_queue,
)
from oversight.red_flags.registry import INDICATORS

PAGE_SIZE = 50


def investigator_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_superuser or roles.INVESTIGATOR in roles.user_roles(user)):
            return render(
                request,
                "workflows/refused.html",
                {
                    "status": 403,
                    "title": _("Not allowed"),
                    "message": _("Red flags are for anti-corruption investigators."),
                },
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper


def _filters(request) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in FILTERS if request.GET.get(name)}


def _districts(user):
    districts = District.objects.order_by("name_ru")
    if user.is_superuser:
        return districts
    profile = getattr(user, "staff_profile", None)
    return districts.filter(region_id=getattr(profile, "region_id", None))


def _row(hit: RedFlagHit) -> dict:
    indicator = INDICATORS.get(hit.indicator)
    return {
        "hit": hit,
        "indicator": indicator.name if indicator else hit.indicator,
        "why": indicator.why if indicator else "",
        "subject_kind": hit.get_subject_kind_display(),
        "person": hit_person_post(hit),
    }


@investigator_required
def queue(request, errors=None, status: int = 200):
    filters = _filters(request)
    try:
        hits = red_flag_queue(request.user, filters)
        filter_errors = {}
    except ValidationError as exc:
        hits, filter_errors = RedFlagHit.objects.none(), exc.message_dict
        status = 400
    page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/red_flags/queue.html",
        {
            "nav": "red_flags",
            "page": page,
            "rows": [_row(hit) for hit in page.object_list],
            "filters": filters,
            "query": urlencode(filters),
            "indicators": [(code, i.name) for code, i in INDICATORS.items()],
            "districts": _districts(request.user),
            "statuses": RedFlagHit.Status.choices,
            "filter_errors": filter_errors,
            "dismiss_errors": errors or {},
        },
        status=status,
    )


@investigator_required
@require_POST
def dismiss(request, pk: int):
    if not hits_visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    try:
        red_flag_dismiss(pk, request.user, request.POST.get("reason", ""))
    except ValidationError as exc:
        return queue(request, errors={pk: exc.message_dict}, status=400)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The red flag was dismissed; new evidence will bring it back."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/staff/red-flags/") else "red_flags:queue")
