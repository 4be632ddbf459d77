"""The site's error pages (templates/400.html ... 500.html), in the visitor's language, with the
request id to quote to support. Django logs each refused request once (see LOGGING)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader

from config.observability import request_id_get


def _page(status: int) -> HttpResponse:
    # No request context: the 500 page must render even when a context processor is what failed,
    # and the 400 page when the request's own Host header is what was refused.
    rid = request_id_get()
    context = {"status": status, "request_id": rid if rid != "-" else ""}
    body = loader.get_template(f"{status}.html").render(context)
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(500)
