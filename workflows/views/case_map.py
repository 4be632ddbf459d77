"""The staff map of cases (/staff/map/) and its data (/staff/map/data/): the cases of the user's
scope, non-public categories included, selected by the case list's own filters and clustered on
the server (casework.geo_clusters, which the public map reuses with public scope)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from casework import clock, geo_clusters
from casework.models import Case
from casework.states import CLOSED_STATES, CaseState
from workflows import caselist
from workflows.forms import CaseFilterForm
from workflows.views.access import is_staff_member, refuse, remember_language, staff_required
from workflows.views.lists import contractor_only, counts

# The list beside the map (what is inside its bounds) shows this many cases at most.
LIST_LIMIT = 100
# Where the map opens when the filtered cases have no point at all: Kazakhstan.
KAZAKHSTAN = geo_clusters.BBox(46.5, 40.5, 87.4, 55.5)
# Parameters of the map itself, not filters of the list.
VIEW_PARAMETERS = ("bbox", "zoom", "page")


def _filter_query(request) -> str:
    return urlencode({k: v for k, v in request.GET.items() if k not in VIEW_PARAMETERS and v})


def _describe(case: Case) -> dict:
    return {
        "code": case.tracking_code,
        "title": case.title,
        "label": case.get_state_display(),
        "url": reverse("workflows:case", args=[case.pk]),
    }


def _list_row(case: Case, now) -> dict:
    return {
        **_describe(case),
        "state": case.state,
        "overdue": case.state not in CLOSED_STATES
        and case.due_at is not None
        and case.due_at < now,
    }


def _json_error(status: int, message: str, errors: dict | None = None) -> JsonResponse:
    body = {"error": message}
    if errors:
        body["errors"] = errors
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
def case_map(request):
    user = request.user
    if contractor_only(user):
        return refuse(request, 403, _("Contractors see their sites in their portal."))
    form = CaseFilterForm(request.GET or None, user=user)
    context = {
        "form": form,
        "nav": "cases",
        "counts": counts(user),
        "query": _filter_query(request),
        "states": CaseState.choices,
    }
    if request.GET and not form.is_valid():
        return render(request, "workflows/case_map.html", context, status=400)
    filters = form.cleaned_data if request.GET else {}
    cases = caselist.case_queryset(user, filters)
    extent = geo_clusters.cases_extent(cases) or KAZAKHSTAN
    context["extent"] = ",".join(
        repr(value) for value in (extent.west, extent.south, extent.east, extent.north)
    )
    context["unplaced"] = cases.filter(latitude__isnull=True).order_by()[:1000].count()
    return render(request, "workflows/case_map.html", context)


@login_required
@require_GET
def case_map_data(request):
    """GeoJSON of the filtered cases in the box: clusters and cases (casework.geo_clusters), plus
    `list` (up to LIST_LIMIT of them, in the list's order) and `summary` in the user's words."""
    user = request.user
    if not is_staff_member(user):
        return _json_error(403, _("This part of Baqylau is for staff."))
    if contractor_only(user):
        return _json_error(403, _("Contractors see their sites in their portal."))
    remember_language(request)
    errors: dict[str, list[str]] = {}
    try:
        view = geo_clusters.map_view_parse(request.GET.get("bbox"), request.GET.get("zoom"))
    except geo_clusters.MapQueryError as error:
        errors.update({name: [message] for name, message in error.errors.items()})
    form = CaseFilterForm(request.GET, user=user)
    if not form.is_valid():
        errors.update({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    if errors:
        return _json_error(400, _("Some map parameters or filters are not valid."), errors)
    cases = caselist.case_queryset(user, form.cleaned_data)
    collection = geo_clusters.cluster_collection(cases, view, _describe)
    total = collection["total"]
    now = clock.now()
    # Only the columns the list shows, without the joins: the first hundred of a city's cases
    # are picked by a top-N sort over all of them.
    in_view = (
        geo_clusters.cases_in_bbox(cases, view.bbox)
        .select_related(None)
        .only("id", "tracking_code", "title", "state", "due_at")
    )
    rows = [_list_row(case, now) for case in in_view[:LIST_LIMIT]] if total else []
    collection["list"] = rows
    collection["summary"] = ngettext(
        "%(n)d case in this part of the map.", "%(n)d cases in this part of the map.", total
    ) % {"n": total}
    if total > len(rows):
        collection["summary"] += " " + _("The list shows the first %(n)d.") % {"n": len(rows)}
    response = JsonResponse(collection, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response
