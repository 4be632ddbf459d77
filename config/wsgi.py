"""WSGI entry point.

The chat platforms' webhooks are machine-to-machine: no session, no login, no CSRF token, no
language, no flash messages, no page to frame. They are the one path that takes bursts (Meta
retries everything it could not deliver), so they skip the middleware that exists for people and
keep only what guards every request (host validation, security headers) and what operations
need (request id, metrics); they are resolved against
their own three routes (settings.WEBHOOK_URLCONF). Everything else gets the full stack of
settings.MIDDLEWARE and the site's URL conf.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
site_application = get_wsgi_application()

WEBHOOK_MIDDLEWARE = [
    "config.observability.request_id",
    "config.observability.request_metrics",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.webhook_urlconf",
]


def _webhook_application():
    """A second Django handler, loaded with WEBHOOK_MIDDLEWARE instead of settings.MIDDLEWARE.
    Django reads the list only while loading a handler, so it is swapped for that moment."""
    site_middleware = settings.MIDDLEWARE
    settings.MIDDLEWARE = WEBHOOK_MIDDLEWARE
    try:
        return get_wsgi_application()
    finally:
        settings.MIDDLEWARE = site_middleware


webhook_application = _webhook_application()


def _webhook_paths() -> frozenset[str]:
    from django.urls import reverse

    return frozenset(reverse(f"intake:{name}") for name in ("whatsapp", "telegram", "facebook"))


WEBHOOK_PATHS = _webhook_paths()


def application(environ, start_response):
    if environ.get("PATH_INFO") in WEBHOOK_PATHS:
        return webhook_application(environ, start_response)
    return site_application(environ, start_response)
