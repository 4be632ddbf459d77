"""The site's own error pages, in the visitor's language, and one log line per refused request."""

import io
import json
import logging

import pytest
from django.test import RequestFactory
from django.utils import translation

from config import errors
from config.observability import JsonFormatter, RequestIdFilter
from tests.factories import image_upload

pytestmark = pytest.mark.django_db

HEADINGS_404 = {
    "en": "There is nothing at this address",
    "ru": "По этому адресу ничего нет",
    "kk": "Бұл мекенжайда ештеңе жоқ",
}


@pytest.fixture
def log_lines():
    """What the console handler of settings.LOGGING would print, one JSON object a line."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("django.request"), logging.getLogger("django.security")]
    for logger in loggers:
        logger.addHandler(handler)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    yield lines
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_not_found_is_our_page_in_the_visitors_language(client, language):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    html = response.content.decode()
    assert HEADINGS_404[language] in html
    assert f'<html lang="{language}">' in html
    assert "material" not in html and "viewflow" not in html
    assert response["X-Request-ID"] in html


def test_forbidden_is_our_page_and_one_log_line_without_traceback(client, world, log_lines):
    client.force_login(world.clerk)
    photo = world.case(photos=[image_upload()]).attachments.get()
    response = client.get(f"/contractor/photos/{photo.pk}/original/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 403
    assert "Вы не можете открыть эту страницу" in response.content.decode()
    lines = log_lines()
    assert len(lines) == 1
    assert lines[0]["status"] == 403 and "exception" not in lines[0]
    assert lines[0]["request_id"] == response["X-Request-ID"]


def test_a_foreign_host_is_400_in_one_line(client, log_lines):
    response = client.get("/staff/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="kk")
    assert response.status_code == 400
    assert "Сұрауды түсіну мүмкін болмады" in response.content.decode()
    lines = log_lines()
    assert len(lines) == 1
    assert lines[0]["logger"] == "django.security.DisallowedHost"
    assert lines[0]["status"] == 400 and "exception" not in lines[0]


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("kk", "Біз жақта бірдеңе дұрыс болмады"),
        ("ru", "Что-то пошло не так на нашей стороне"),
        ("en", "Something went wrong on our side"),
    ],
)
def test_server_error_page_renders_without_a_request_context(language, heading):
    request = RequestFactory().get("/")
    with translation.override(language):
        response = errors.server_error(request)
    assert response.status_code == 500
    assert heading in response.content.decode()


def test_a_server_error_keeps_its_traceback_in_the_log():
    record = logging.LogRecord("django.request", logging.ERROR, "", 0, "boom", None, None)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    record.status_code = 500
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert "RuntimeError: boom" in entry["exception"]
