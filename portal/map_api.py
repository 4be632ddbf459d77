"""/api/public/map/: the public cases in a box as GeoJSON, clustered on the server
(casework.geo_clusters, the staff map's own contract), at most about 2,000 features.

Only public categories, never a corruption report: not as a pin, not in a cluster's count, not
in `total`. A case feature shows its tracking code, category, state and date received and links
to its public page; never the title, description or address the citizen wrote, which may hold
personal data. Zoomed out (and without the filters that need the cases themselves) the clusters
are read from the grid aggregate casework keeps as cases change (casework.map_cells), so the
whole country costs about what a street does.

/api/public/map/figures/: this month's counts (received, repaired, overdue) for the district
with the most public cases in the box.
"""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from casework import clock, geo_clusters, map_cells
from casework.figures import closed_q, current_month, overdue_q, received_q
from casework.models import Case, District
from casework.states import CaseState
from portal.freshness import conditional, data_version, etag_for
from portal.map_filters import MapFilterForm, cell_filters, filtered_cases

# The list beside the map (what is inside its bounds) shows this many cases at most.
LIST_LIMIT = 100
LIST_COLUMNS = (
    "id",
    "tracking_code",
    "state",
    "received_at",
    "category__name_kk",
    "category__name_ru",
    "category__name_en",
)


def case_url(code: str) -> str:
    """The public case page (portal's /cases/<code>/)."""
    return f"/cases/{code}/"


def describe(case: Case) -> dict:
    return {
        "code": case.tracking_code,
        "category": case.category.name,
        "label": str(case.get_state_display()),
        "received": case.received_at.date().isoformat(),
        "url": case_url(case.tracking_code),
    }


def json_answer(body: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(errors: dict[str, str]) -> JsonResponse:
    response = json_answer(
        {"error": _("Some map parameters or filters are not valid."), "errors": errors}, 400
    )
    response["Cache-Control"] = "no-store"
    return response


def parse(request: HttpRequest):
    """The view and the valid filter form, or the field errors."""
    errors: dict[str, str] = {}
    view = None
    try:
        view = geo_clusters.map_view_parse(request.GET.get("bbox"), request.GET.get("zoom"))
    except geo_clusters.MapQueryError as error:
        errors.update(error.errors)
    form = MapFilterForm(request.GET)
    if not form.is_valid():
        errors.update({name: " ".join(str(m) for m in msgs) for name, msgs in form.errors.items()})
    return view, form, errors


def collection(view: geo_clusters.MapView, form: MapFilterForm) -> dict:
    data = form.cleaned_data
    cases = filtered_cases(data).select_related("category")
    counted = None
    if form.counted_by_cells():
        counted = partial(map_cells.cell_counts, **cell_filters(data))
    body = geo_clusters.cluster_collection(cases, view, describe, counted)
    total = body["total"]
    # Only the columns the list shows: the latest hundred of a city's cases by a top-N sort.
    in_view = geo_clusters.cases_in_bbox(cases, view.bbox).only(*LIST_COLUMNS).order_by("-id")
    rows = [{**describe(c), "state": c.state} for c in in_view[:LIST_LIMIT]] if total else []
    body["list"] = rows
    body["summary"] = ngettext(
        "%(n)d case in this part of the map.", "%(n)d cases in this part of the map.", total
    ) % {"n": total}
    if total > len(rows):
        body["summary"] += " " + _("The list shows the latest %(n)d.") % {"n": len(rows)}
    return body


@require_GET
def map_data(request: HttpRequest):
    view, form, errors = parse(request)
    if errors:
        return bad_request(errors)
    build = lambda: json_answer(collection(view, form))  # noqa: E731
    if form.cleaned_data.get("warranty"):
        # Depends on work orders and on today's date: no validator.
        response = build()
        response["Cache-Control"] = "private, no-cache"
        return response
    version, changed = data_version(view.bbox)
    return conditional(request, etag_for(request, version), changed, build)


def month_counts(district_id: int) -> dict:
    month = current_month()
    cases = filtered_cases({}).filter(district_id=district_id).order_by()
    return {
        "month": month.code,
        "received": cases.filter(received_q(month)).count(),
        "repaired": cases.filter(closed_q(month), state=CaseState.VERIFIED).count(),
        "overdue": cases.filter(overdue_q(month)).count(),
    }


@require_GET
def map_figures(request: HttpRequest):
    """This month's counts for the district in view (public categories only)."""
    try:
        bbox = geo_clusters.map_view_parse(request.GET.get("bbox"), "0").bbox
    except geo_clusters.MapQueryError as error:
        return bad_request(error.errors)
    version, changed = data_version(bbox)

    def build():
        filters = cell_filters({})
        district_id = map_cells.district_in_view(bbox, filtered_cases({}), filters["categories"])
        if district_id is None:
            return json_answer({"district": None})
        district = District.objects.get(pk=district_id)
        return json_answer(
            {"district": {"id": district.pk, "name": district.name}, **month_counts(district.pk)}
        )

    # Overdue depends on the clock: the validator changes every hour.
    hour = clock.now().strftime("%Y%m%d%H")
    return conditional(request, etag_for(request, version, hour), changed, build)
