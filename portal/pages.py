"""The public home (/), the map of cases and projects (/map/) and the search behind the home's
search box (/search/). The pages carry no case data themselves: the map asks
/api/public/map/ (and /api/public/projects/) for what is in view."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from casework.public import cases_public
from casework.states import CaseState
from casework.tracking import tracking_code_normal, tracking_code_plausible
from portal.freshness import conditional, page_etag
from portal.map_api import case_url
from portal.map_filters import PUBLIC_STATES, MapFilterForm

# Where the map opens: Kazakhstan (west, south, east, north).
KAZAKHSTAN = "46.5,40.5,87.4,55.5"
SEARCH_LIMIT = 50


def _map_context() -> dict:
    return {
        "extent": KAZAKHSTAN,
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        "states": [(state.value, state.label) for state in PUBLIC_STATES],
    }


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return conditional(
        request, page_etag(request), None, lambda: render(request, template, context)
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return _page(request, "portal/home.html", _map_context())


@require_GET
def public_map(request: HttpRequest) -> HttpResponse:
    form = MapFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "portal/map.html", {**_map_context(), "form": form}, status=400)
    return _page(request, "portal/map.html", {**_map_context(), "form": form})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """A tracking code opens its public page; anything else is looked up in the public cases'
    addresses (the results show no address: it is the citizen's text)."""
    query = request.GET.get("q", "").strip()[:200]
    code = tracking_code_normal(query)
    if tracking_code_plausible(code):
        case = cases_public().filter(tracking_code__iexact=code).first()
        if case is not None:
            return redirect(case_url(case.tracking_code))
    results = []
    if len(query) >= 3:
        found = (
            cases_public()
            .filter(address__icontains=query)
            .select_related("category")
            .order_by("-id")[:SEARCH_LIMIT]
        )
        results = [
            {
                "code": case.tracking_code,
                "url": case_url(case.tracking_code),
                "category": case.category.name,
                "state": case.state,
                "label": CaseState(case.state).label,
                "received": case.received_at,
            }
            for case in found
        ]
    context = {"query": query, "results": results, "too_short": 0 < len(query) < 3}
    return render(request, "portal/search.html", context)
