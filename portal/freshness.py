"""ETag and Last-Modified for the public map and pages, so that a phone panning back and forth
gets 304s instead of the same GeoJSON again.

The validator of an answer is a hash of everything it depends on: the language, the query, the
public categories, and the version of the data in the area asked for. On PostgreSQL that version
is read from the coarse cells of the map aggregate (casework.map_cells.area_version: it goes up
whenever a case with a point in the area changes, and says when); elsewhere it is the latest
case event and the latest case, which changes with any case anywhere (correct, just less
precise). Answers that depend on time or other tables (the warranty filter) get no validator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time

from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.http import http_date
from django.utils.translation import get_language

from casework.geo_clusters import BBox
from casework.map_cells import area_version
from casework.models import Case, CaseEvent
from casework.public import public_categories

# A new process (a deploy) serves new templates and code: its pages are new.
STARTED = str(time.time())


def _global_version() -> tuple[str, dt.datetime | None]:
    events = CaseEvent.objects.aggregate(last=Max("id"), at=Max("created_at"))
    cases = Case.objects.aggregate(last=Max("id"))
    return f"{events['last']}.{cases['last']}", events["at"]


def _categories_version() -> str:
    rows = public_categories().order_by("pk").values_list("pk", "name_kk", "name_ru", "name_en")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


def data_version(bbox: BBox | None) -> tuple[str, dt.datetime | None]:
    """What the cases shown in the box depend on, and when it last changed."""
    found = area_version(bbox) if bbox is not None else None
    version, changed = found if found is not None else _global_version()
    return f"{version}/{_categories_version()}", changed


def etag_for(request: HttpRequest, *parts: str) -> str:
    text = "|".join((STARTED, get_language() or "", request.get_full_path(), *parts))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def conditional(
    request: HttpRequest, etag: str, changed: dt.datetime | None, build
) -> HttpResponse:
    """A 304 when the client holds this very answer, else `build()` with the validators."""
    held = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in held or "*" in held:
        response = HttpResponse(status=304)
    else:
        response = build()
    response["ETag"] = etag
    if changed is not None:
        response["Last-Modified"] = http_date(changed.timestamp())
    # Each browser revalidates; the answer depends on the language (cookie or header).
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Accept-Language, Cookie"
    return response


def page_etag(request: HttpRequest) -> str:
    """Pages hold the form's CSRF token and the header's account: per browser and user."""
    get_token(request)  # the secret the page's token is made from, new if the browser has none
    csrf = request.META.get("CSRF_COOKIE", "")
    user = str(getattr(request.user, "pk", "") or "")
    return etag_for(request, csrf, user, _categories_version())
