"""Public pages of the projects registry (no login): the list with its map, one project's page,
its documents and photos, and the JSON twin for maps and others' apps. They only read; they never
show a non-public category's complaint nor anything of a complainant."""

from __future__ import annotations

import hashlib
import mimetypes

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET

from casework.media import file_response
from projects.filters import ProjectFilterForm, parse_bbox
from projects.geojson import feature_collection, features_json
from projects.models import ProgressPhoto, ProjectDocument
from projects.selectors import (
    ProjectFilters,
    latest_progress_by_project,
    project_page,
    project_page_version,
    projects_filtered,
    public_projects_changed,
    public_projects_page,
)

MAX_PAGE = 100_000


def _registry_changed(request, *args, **kwargs):
    """When any project last changed (one index lookup). Every change that can move a project
    in or out of a filter, or change what the list shows, bumps its `updated_at`; projects are
    never deleted. So this stands for every filtered list's own last change."""
    if not hasattr(request, "_projects_changed"):
        request._projects_changed = public_projects_changed()
    return request._projects_changed


def _list_etag(request, *args, **kwargs) -> str | None:
    at = _registry_changed(request)
    if at is None:
        return None
    key = f"{at.isoformat()}|{get_language()}|{request.get_full_path()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _vary(response):
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def _page_number(value: str | None) -> int:
    """The `page` parameter; anything but a number means the first page (as before)."""
    try:
        return min(max(1, int(value or 1)), MAX_PAGE)
    except ValueError:
        return 1


@require_GET
@condition(etag_func=_list_etag, last_modified_func=_registry_changed)
def project_list(request):
    form = ProjectFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    page = None
    if valid:
        filters = form.filters() if request.GET else ProjectFilters()
        page = public_projects_page(filters, _page_number(request.GET.get("page")))
    projects = page.projects if page else []
    latest = latest_progress_by_project([p.pk for p in projects])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(p, latest.get(p.pk)) for p in projects],
        "query": query.urlencode(),
        "next_year": timezone.localdate().year + 1,
        "api_url": reverse("projects_api:list"),
    }
    return _vary(render(request, "projects/list.html", context, status=200 if valid else 400))


def _project_version(request, code: str) -> tuple | None:
    if not hasattr(request, "_project_version"):
        request._project_version = project_page_version(code)
    return request._project_version


def _project_modified(request, code: str, *args, **kwargs):
    version = _project_version(request, code)
    if version is None:
        return None
    return max(at for at in (version[0], version[3], version[4]) if at is not None)


def _project_etag(request, code: str, *args, **kwargs) -> str | None:
    version = _project_version(request, code)
    if version is None:
        return None
    parts = "|".join(str(v) for v in version)
    return hashlib.sha256(f"{code}|{parts}|{get_language()}".encode()).hexdigest()[:32]


@require_GET
@condition(etag_func=_project_etag, last_modified_func=_project_modified)
def project_detail(request, code: str):
    page = project_page(code)
    if page is None:
        raise Http404(_("No such project."))
    return _vary(render(request, "projects/detail.html", {"page": page, "p": page.project}))


@require_GET
def document_download(request, code: str, pk: int):
    document = ProjectDocument.objects.filter(project__code=code, pk=pk).first()
    if document is None:
        raise Http404(_("No such document."))
    content_type = mimetypes.guess_type(document.file.name)[0] or "application/octet-stream"
    try:
        return file_response(
            document.file.storage,
            document.file.name,
            content_type=content_type,
            filename=document.file.name.rsplit("/", 1)[-1],
            as_attachment=True,
            cache_control="public, max-age=3600",
        )
    except FileNotFoundError:
        raise Http404(_("No such document.")) from None


@require_GET
def progress_photo(request, code: str, pk: int):
    photo = ProgressPhoto.objects.filter(observation__project__code=code, pk=pk).first()
    if photo is None:
        raise Http404(_("No such photo."))
    content_type = mimetypes.guess_type(photo.image.name)[0] or "image/jpeg"
    try:
        return file_response(
            photo.image.storage,
            photo.image.name,
            content_type=content_type,
            cache_control="public, max-age=86400",
        )
    except FileNotFoundError:
        raise Http404(_("No such photo.")) from None


def _api_errors(form, bbox_error: str | None) -> dict[str, str]:
    errors = {field: " ".join(str(m) for m in msgs) for field, msgs in form.errors.items()}
    if bbox_error:
        errors["bbox"] = bbox_error
    return errors


@require_GET
@condition(etag_func=_list_etag, last_modified_func=_registry_changed)
def project_geojson(request):
    """GeoJSON FeatureCollection of the filtered projects: every feature carries
    kind="project", count=1, code, title, status and the public page's url."""
    form = ProjectFilterForm(request.GET, choices=False)
    bbox, bbox_error = None, None
    try:
        bbox = parse_bbox(request.GET.get("bbox"))
    except ValueError as exc:
        bbox_error = str(exc)
    if not form.is_valid() or bbox_error:
        return JsonResponse({"errors": _api_errors(form, bbox_error)}, status=400)
    kk = (get_language() or "").startswith("kk")
    # One reverse() for every feature (a code is a slug: nothing to quote); one per feature
    # cost more than all the rest of it.
    before, _code, after = reverse("projects:detail", args=["__code__"]).partition("__code__")
    features = features_json(
        projects_filtered(form.filters(bbox)), kk=kk, url_around=(before, after)
    )
    response = HttpResponse(feature_collection(features), content_type="application/json")
    response["Cache-Control"] = "public, max-age=60"
    return _vary(response)
