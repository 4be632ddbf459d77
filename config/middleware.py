"""Middleware of the webhooks' lean handler (config/wsgi.py)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def webhook_urlconf(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Resolve against settings.WEBHOOK_URLCONF (three routes) instead of the whole site's."""
    urlconf = settings.WEBHOOK_URLCONF

    def middleware(request: HttpRequest) -> HttpResponse:
        request.urlconf = urlconf
        return get_response(request)

    return middleware
