"""Prometheus metrics, served at /metrics.

Counters and histograms live in each process (gunicorn workers, Celery workers). With
`PROMETHEUS_MULTIPROC_DIR` set (deploy/ sets it to one directory per machine, emptied when the
services start), every process writes its values there and /metrics adds them up, so one scrape
of a machine sees its web and worker processes together. Figures kept in the database (outbox
backlog, overdue cases, escalations) are read when scraped, not counted in a process.
"""

from __future__ import annotations

import os
import time

from celery import signals
from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

REQUESTS = Counter("baqylau_http_requests_total", "HTTP requests answered", ["method", "status"])
REQUEST_SECONDS = Histogram(
    "baqylau_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBHOOK_SIGNATURE_FAILURES = Counter(
    "baqylau_webhook_signature_failures_total",
    "Webhook calls refused for a bad or missing signature or secret token",
    ["channel"],
)
TASK_SECONDS = Histogram(
    "baqylau_task_duration_seconds",
    "Time a Celery task ran, per queue",
    ["queue", "task", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300),
)
TASK_WAIT_SECONDS = Histogram(
    "baqylau_task_queue_wait_seconds",
    "Time a Celery task waited in its queue before a worker took it",
    ["queue"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300),
)

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
WEBHOOK_CHANNELS = {
    "/intake/whatsapp/": "whatsapp",
    "/intake/telegram/": "telegram",
    "/intake/facebook/": "facebook",
}


def request_observe(request: HttpRequest, response: HttpResponse, seconds: float) -> None:
    method = (
        request.method if request.method in ("GET", "POST", "HEAD", "PUT", "PATCH") else "OTHER"
    )
    REQUESTS.labels(method, str(response.status_code)).inc()
    REQUEST_SECONDS.labels(method).observe(seconds)
    channel = WEBHOOK_CHANNELS.get(request.path_info)
    if channel and response.status_code == 403 and request.method == "POST":
        # A webhook answers 403 for one reason only: the signature or secret did not match.
        WEBHOOK_SIGNATURE_FAILURES.labels(channel).inc()


class DatabaseFigures:
    """Gauges read from the database at scrape time."""

    def collect(self):
        from casework.models import Case, Escalation, OutboxJob

        now = timezone.now()
        backlog = GaugeMetricFamily(
            "baqylau_outbox_backlog", "Outbox jobs due and not yet done", labels=["kind"]
        )
        pending = OutboxJob.objects.filter(status=OutboxJob.Status.PENDING, available_at__lte=now)
        for row in pending.values("kind").order_by().annotate(n=Count("id")):
            backlog.add_metric([row["kind"]], row["n"])
        yield backlog
        failed = GaugeMetricFamily("baqylau_outbox_failed", "Outbox jobs that gave up")
        failed.add_metric([], OutboxJob.objects.filter(status=OutboxJob.Status.FAILED).count())
        yield failed
        overdue = GaugeMetricFamily("baqylau_cases_overdue", "Open cases past their answer due")
        overdue.add_metric([], Case.objects.overdue(now).count())
        yield overdue
        escalations = CounterMetricFamily(
            "baqylau_escalations", "Deadline escalations fired", labels=["level"]
        )
        fired = Escalation.objects.filter(fired_at__isnull=False)
        for row in fired.values("level").order_by().annotate(n=Count("id")):
            escalations.add_metric([str(row["level"])], row["n"])
        yield escalations


_database_figures = CollectorRegistry(auto_describe=False)
_database_figures.register(DatabaseFigures())


def exposition() -> bytes:
    """This process's metrics (or, in multiprocess mode, every process's of this machine) and the
    figures read from the database."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    return generate_latest(processes) + generate_latest(_database_figures)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if request.META.get("REMOTE_ADDR") not in settings.METRICS_ALLOWED_IPS:
        return HttpResponse(status=404)
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


# Celery: latency per queue, and the task id as the request id of its log lines. ----------------

_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs) -> None:
    from casework.replica import unit_of_work_start
    from config.observability import request_id_set

    unit_of_work_start()
    request_id_set(f"task-{task_id}")
    _started[task_id] = time.perf_counter()
    sent = (getattr(task.request, "headers", None) or {}).get("baqylau_sent_at")
    if sent is None:
        sent = getattr(task.request, "baqylau_sent_at", None)
    if isinstance(sent, int | float):
        TASK_WAIT_SECONDS.labels(_queue_of(task)).observe(max(0.0, time.time() - sent))


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    from config.observability import request_id_set

    started = _started.pop(task_id, None)
    if started is not None:
        TASK_SECONDS.labels(_queue_of(task), task.name, state or "UNKNOWN").observe(
            time.perf_counter() - started
        )
    request_id_set("-")


@signals.before_task_publish.connect
def _stamp_sent_at(headers=None, **kwargs) -> None:
    if headers is not None:
        headers["baqylau_sent_at"] = time.time()


def _queue_of(task) -> str:
    info = getattr(task.request, "delivery_info", None) or {}
    return info.get("routing_key") or info.get("exchange") or "default"


@signals.worker_process_shutdown.connect
def _mark_dead(pid=None, **kwargs) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") and pid:
        multiprocess.mark_process_dead(pid)
