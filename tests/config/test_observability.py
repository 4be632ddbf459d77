"""Request ids and JSON log lines; Prometheus metrics."""

import io
import json
import logging

import pytest

from casework.models import OutboxJob
from config import metrics
from config.observability import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("baqylau.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, buffer
    logger.removeHandler(handler)


def test_nginx_request_id_is_kept_and_returned(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="0f1e2d3c4b5a69788796a5b4c3d2e1f0")
    assert response["X-Request-ID"] == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def test_a_request_id_that_does_not_look_like_one_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"
    assert len(response["X-Request-ID"]) == 32


def test_log_lines_written_during_a_request_carry_its_id(client):
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/no/such/page/", HTTP_X_REQUEST_ID="req-0123456789abcdef")
    finally:
        logger.removeHandler(handler)
    entry = json.loads(buffer.getvalue().splitlines()[-1])
    assert entry["message"] == "Not Found: /no/such/page/"
    assert entry["request_id"] == "req-0123456789abcdef" == response["X-Request-ID"]
    assert entry["level"] == "WARNING" and entry["status"] == 404
    assert entry["time"].endswith("+00:00")


def test_extra_fields_are_kept_in_the_line(json_log):
    logger, buffer = json_log
    logger.info("relayed %d jobs", 3, extra={"queue": "notify"})
    entry = json.loads(buffer.getvalue())
    assert entry["message"] == "relayed 3 jobs" and entry["queue"] == "notify"


def test_outside_a_request_the_id_is_a_dash(json_log):
    logger, buffer = json_log
    logger.warning("no request here")
    assert json.loads(buffer.getvalue())["request_id"] == "-"


def scrape(client) -> str:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def sample(text: str, name: str, **labels) -> float | None:
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, value = line.rsplit(" ", 1)
        if all(f'{k}="{v}"' in head for k, v in labels.items()) and (
            head == name or head.startswith(name + "{")
        ):
            return float(value)
    return None


def test_metrics_count_requests_and_read_figures_from_the_database(client, world):
    before = sample(scrape(client), "baqylau_http_requests_total", method="GET", status="404") or 0
    client.get("/no/such/page/")
    OutboxJob.objects.create(kind="whatsapp_reply", payload={})
    text = scrape(client)
    assert sample(text, "baqylau_http_requests_total", method="GET", status="404") == before + 1
    assert sample(text, "baqylau_outbox_backlog", kind="whatsapp_reply") == 1
    assert sample(text, "baqylau_cases_overdue") == 0
    assert "baqylau_escalations" in text and "baqylau_http_request_duration_seconds" in text


def test_metrics_are_not_for_everyone(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_task_latency_is_recorded_per_queue(client):
    from config.health import beat_heartbeat

    def count(text):
        return sample(
            text, "baqylau_task_duration_seconds_count", queue="default",
            task="config.health.beat_heartbeat", outcome="SUCCESS",
        ) or 0  # fmt: skip

    before = count(scrape(client))
    beat_heartbeat.apply()
    assert count(scrape(client)) == before + 1


def test_queue_of_a_delivered_task_is_its_routing_key():
    class Request:
        delivery_info = {"routing_key": "reports", "exchange": ""}

    class Task:
        request = Request()

    assert metrics._queue_of(Task()) == "reports"
