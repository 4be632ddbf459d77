"""/open-data/: the page that documents the data set, and the latest dump's files.

Before the first dump there is nothing to hand out: the files answer 503 with a page saying the
data is not yet published (and Retry-After), rather than building a million rows inside a
request. Operators publish at once with `manage.py open_data_dump`.
"""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from casework.media import file_response
from portal.open_data import COLUMNS
from portal.open_data_dump import FILES, Dump, default_storage, latest_dump

FILE_CACHE = "public, max-age=3600"
RETRY_AFTER_S = 3600


def _page_etag(request: HttpRequest, dump: Dump | None) -> str:
    user = getattr(request, "user", None)
    viewer = user.pk if user is not None and user.is_authenticated else 0
    parts = [get_language() or "", str(viewer), dump.folder if dump else "", *sorted(FILES)]
    return quote_etag(hashlib.sha256("|".join(parts).encode()).hexdigest()[:32])


@require_safe
def open_data_page(request: HttpRequest) -> HttpResponse:
    dump = latest_dump()
    etag = _page_etag(request, dump)
    modified = int(dump.generated_at.timestamp()) if dump else None
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        response = render(
            request,
            "portal/open_data.html",
            {"columns": COLUMNS, "dump": dump, "files": sorted(FILES)},
        )
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "public, max-age=300"
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def _not_yet(request: HttpRequest) -> HttpResponse:
    response = render(request, "portal/open_data_unpublished.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"
    return response


def _conditional(request: HttpRequest, dump: Dump, etag: str) -> HttpResponse | None:
    return get_conditional_response(
        request, etag=etag, last_modified=int(dump.generated_at.timestamp())
    )


def _dated(response: HttpResponse, dump: Dump, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(dump.generated_at.timestamp())
    return response


@require_safe
def open_data_file(request: HttpRequest, filename: str) -> HttpResponse:
    """The latest dump's cases.csv or cases.geojson; ETag is its SHA-256."""
    if filename not in FILES:
        raise Http404("no such data set")
    dump = latest_dump()
    if dump is None:
        return _not_yet(request)
    etag = quote_etag(dump.sha256[filename])
    conditional = _conditional(request, dump, etag)
    if conditional is not None:
        return _dated(conditional, dump, etag)
    try:
        response = file_response(
            default_storage,
            dump.path(filename),
            content_type=FILES[filename],
            filename=filename,
            cache_control=FILE_CACHE,
        )
    except (FileNotFoundError, OSError):
        raise Http404("the dump's file is missing") from None
    return _dated(response, dump, etag)


@require_safe
def open_data_checksum(request: HttpRequest, filename: str) -> HttpResponse:
    """`<sha256>  <file>` of the latest dump's file, as `sha256sum -c` reads it."""
    if filename not in FILES:
        raise Http404("no such data set")
    dump = latest_dump()
    if dump is None:
        return _not_yet(request)
    etag = quote_etag(f"{dump.sha256[filename]}.sha256")
    conditional = _conditional(request, dump, etag)
    if conditional is not None:
        return _dated(conditional, dump, etag)
    response = HttpResponse(
        f"{dump.sha256[filename]}  {filename}\n", content_type="text/plain; charset=utf-8"
    )
    response["Cache-Control"] = FILE_CACHE
    return _dated(response, dump, etag)
