"""config/wsgi.py: chat webhooks get the lean middleware stack, everything else the site's."""

import io
import sys

import pytest

from config import wsgi
from intake.models import InboundMessage
from tests.intake.conftest import WA_SECRET, body_of, sign, wa_text

pytestmark = pytest.mark.django_db(transaction=True)


def call(path: str, method: str = "GET", body: bytes = b"", **headers: str):
    """Run one request through config.wsgi.application, as gunicorn would."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "REMOTE_ADDR": "127.0.0.1",
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    }
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    result = wsgi.application(environ, start_response)
    try:
        answer["body"] = b"".join(result)
    finally:
        result.close()
    return answer


def test_webhook_paths_are_the_three_chat_channels():
    assert wsgi.WEBHOOK_PATHS == {"/intake/whatsapp/", "/intake/telegram/", "/intake/facebook/"}


def test_the_webhooks_own_url_conf_routes_exactly_the_webhook_paths():
    from django.urls import get_resolver

    from intake import webhook_urls

    resolver = get_resolver("intake.webhook_urls")
    routed = {
        "/" + str(prefix.pattern) + str(route.pattern)
        for prefix in resolver.url_patterns
        for route in prefix.url_patterns
    }
    assert routed == wsgi.WEBHOOK_PATHS
    assert len(webhook_urls.webhook_routes) == len(routed)


def test_webhooks_are_resolved_against_their_own_url_conf(channels, monkeypatch):
    from intake.views import webhooks as views_webhooks

    seen = []
    real = views_webhooks._accept

    def spy(channel, request, split):
        seen.append(request.urlconf)
        return real(channel, request, split)

    monkeypatch.setattr(views_webhooks, "_accept", spy)
    body = body_of(wa_text("wamid.wsgi.urlconf", "Яма"))
    answer = call("/intake/whatsapp/", "POST", body, x_hub_signature_256=sign(body, WA_SECRET))
    assert answer["status"] == 200 and seen == ["intake.webhook_urls"]


def test_an_unconfigured_channel_answers_404_through_the_lean_stack(db, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("TELEGRAM_SECRET_TOKEN", raising=False)
    answer = call("/intake/telegram/", "POST", b"{}", x_telegram_bot_api_secret_token="x")
    assert answer["status"] == 404
    assert not InboundMessage.objects.exists()


def test_webhook_is_stored_through_the_lean_stack(channels):
    body = body_of(wa_text("wamid.wsgi.1", "Яма у дома 5"))
    answer = call("/intake/whatsapp/", "POST", body, x_hub_signature_256=sign(body, WA_SECRET))
    assert answer["status"] == 200, answer
    message = InboundMessage.objects.get(external_id="wamid.wsgi.1")
    assert message.headers["X-Hub-Signature-256"] == sign(body, WA_SECRET)
    assert message.headers["Content-Type"] == "application/json"
    # No session, language or framing middleware ran: none of their marks is on the answer.
    assert "Set-Cookie" not in answer["headers"]
    assert "Content-Language" not in answer["headers"]
    assert "X-Frame-Options" not in answer["headers"]
    # The guards every request keeps are still there.
    assert answer["headers"].get("X-Content-Type-Options") == "nosniff"


def test_webhook_with_a_bad_signature_is_refused_through_the_lean_stack(channels):
    body = body_of(wa_text("wamid.wsgi.2", "Яма"))
    answer = call("/intake/whatsapp/", "POST", body, x_hub_signature_256=sign(body, "wrong"))
    assert answer["status"] == 403
    assert not InboundMessage.objects.exists()


def test_webhook_lean_stack_still_validates_the_host(channels):
    body = body_of(wa_text("wamid.wsgi.3", "Яма"))
    answer = call(
        "/intake/whatsapp/",
        "POST",
        body,
        host="evil.example",
        x_hub_signature_256=sign(body, WA_SECRET),
    )
    assert answer["status"] == 400
    assert not InboundMessage.objects.exists()


def test_pages_keep_the_full_stack():
    answer = call("/complain/")
    assert answer["status"] == 200
    assert answer["headers"].get("X-Frame-Options") == "DENY"
    assert "Content-Language" in answer["headers"]


def test_site_settings_keep_their_middleware_after_the_lean_handler_loaded():
    from django.conf import settings

    assert "django.contrib.sessions.middleware.SessionMiddleware" in settings.MIDDLEWARE
    assert wsgi.WEBHOOK_MIDDLEWARE != list(settings.MIDDLEWARE)
