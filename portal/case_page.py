"""The public case page /cases/<tracking code>/: what happened to a complaint in a public
category, for anyone. No complainant, no citizen-written text (the title, description and
address may name people), no staff names; the posts in the accountability outcome are public.

An unknown code, a mistyped one, a non-public category and a corruption report all get the same
404. The page carries an ETag from the case's event counter, the published outcome and the
language, so a phone that has it gets a 304 until something changes.
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
from casework.models import Case
from casework.public import case_public_timeline
from oversight.public import case_accountability_story
from portal import case_page_photos, selectors
from projects.selectors import projects_of_case

PAGE_CACHE = "public, max-age=60"
PHOTO_CACHE = "public, max-age=86400"


def _case_or_404(code: str) -> Case:
    case = selectors.public_case_by_code(code)
    if case is None:
        raise Http404("no such public case")
    return case


def _etag(case: Case, request: HttpRequest, story, photos, projects) -> str:
    user = getattr(request, "user", None)
    viewer = user.pk if user is not None and user.is_authenticated else 0
    parts = [
        str(case.pk),
        str(case.event_seq),
        get_language() or "",
        ",".join(f"{p.code}@{p.updated_at.isoformat()}" for p in projects),
        str(viewer),
        repr([[(s.kind, s.on.isoformat(), s.text) for s in steps] for steps in story]),
        ",".join(str(a.pk) for kind in ("before", "after") for a in photos[kind]),
    ]
    return quote_etag(hashlib.sha256("|".join(parts).encode()).hexdigest()[:32])


@require_safe
def case_page(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_or_404(code)
    story = case_accountability_story(case)
    photos = selectors.case_repair_photos(case)
    projects = list(projects_of_case(case))
    etag = _etag(case, request, story, photos, projects)
    modified = selectors.case_last_public_change(case)
    last_modified = http_date(modified.timestamp())
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(modified.timestamp())
    )
    if conditional is not None:
        response = conditional
    else:
        response = render(
            request,
            "portal/case.html",
            {
                "case": case,
                "timeline": case_public_timeline(case),
                "photos": photos,
                "accountability": story,
                "projects": projects,
            },
        )
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    response["Cache-Control"] = PAGE_CACHE
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_safe
def case_photo(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A repair photo of a public case, stripped of all metadata."""
    case = _case_or_404(code)
    photo = selectors.case_repair_photo(case, pk)
    if photo is None:
        raise Http404("no such photo")
    etag = quote_etag(f"{photo.pk}-{photo.sha256[:16]}")
    conditional = get_conditional_response(request, etag=etag)
    if conditional is not None:
        conditional["ETag"] = etag
        return conditional
    try:
        name = case_page_photos.stripped_copy(photo)
        response = file_response(
            case_page_photos.default_storage,
            name,
            content_type=case_page_photos.CONTENT_TYPE,
            cache_control=PHOTO_CACHE,
        )
    except (FileNotFoundError, OSError):
        raise Http404("the photo file is missing") from None
    response["ETag"] = etag
    return response
