"""Request ids, JSON log lines, and the request metrics middleware.

Every request carries an id: nginx's `$request_id` in `X-Request-ID` (a client's own id is
kept only if it looks like one), or a fresh one when Django is reached directly. It is in every
log line written while the request runs and in the response's `X-Request-ID`. Celery tasks log
their task id the same way (config.metrics hooks the task signals).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from casework.replica import unit_of_work_start

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_get() -> str:
    return _request_id.get()


def request_id_set(value: str) -> contextvars.Token:
    return _request_id.set(value)


def request_id(get_response: Callable[[HttpRequest], HttpResponse]):
    """Give the request its id; a new request is also a new unit of work for the DB router."""

    def middleware(request: HttpRequest) -> HttpResponse:
        given = request.META.get(REQUEST_ID_HEADER, "")
        rid = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        _request_id.set(rid)
        unit_of_work_start()
        request.request_id = rid
        response = get_response(request)
        response["X-Request-ID"] = rid
        return response

    return middleware


@receiver(request_finished)
def _request_id_forget(**kwargs) -> None:
    """The id stays set until the response is closed: Django writes the line of a refused
    request (4xx) after the middleware has returned."""
    _request_id.set("-")


def request_metrics(get_response: Callable[[HttpRequest], HttpResponse]):
    from config import metrics

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        metrics.request_observe(request, response, time.perf_counter() - started)
        return response

    return middleware


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, and keeps a refused request (4xx) to one line: Django
    logs each such response once, with the exception that caused it; the traceback of a
    PermissionDenied, Http404 or DisallowedHost says nothing the line does not."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "request_id", "request", "status_code"}
)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, status (if any),
    extra fields a caller passed, and the traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", _request_id.get()),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
