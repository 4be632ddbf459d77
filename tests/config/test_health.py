"""/healthz and /readyz: what each check looks at, and that a failing one makes the node unready."""

import time

import pytest
from django.core.cache import cache

from casework.models import OutboxJob
from config import health
from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_green_in_embedded_mode(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    report = response.json()
    assert report["ready"] is True
    assert set(report["checks"]) == {"database", "broker", "migrations", "outbox", "beat"}
    assert report["checks"]["broker"]["detail"].startswith("embedded")


def test_an_outbox_backlog_at_the_threshold_makes_the_node_unready(client, settings):
    settings.REDIS_URL = ""
    settings.READY_OUTBOX_BACKLOG_MAX = 2
    OutboxJob.objects.create(kind="noop", payload={})
    assert client.get("/readyz").status_code == 200
    OutboxJob.objects.create(kind="noop", payload={})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"] == {"ok": False, "detail": "2 due (limit 2)"}


def test_jobs_waiting_for_their_retry_are_not_backlog(client, settings):
    from django.utils import timezone

    settings.REDIS_URL = ""
    settings.READY_OUTBOX_BACKLOG_MAX = 1
    later = timezone.now() + timezone.timedelta(minutes=5)
    OutboxJob.objects.create(kind="noop", payload={}, available_at=later)
    assert client.get("/readyz").status_code == 200


def test_beat_heartbeat_older_than_the_limit_makes_the_node_unready(settings):
    settings.REDIS_URL = "redis://configured"  # the beat check applies only with a broker
    settings.READY_BEAT_MAX_AGE_S = 120
    cache.delete(health.HEARTBEAT_KEY)
    assert health._beat() == (False, "no heartbeat yet")
    cache.set(health.HEARTBEAT_KEY, time.time() - 121)
    ok, detail = health._beat()
    assert not ok and detail.endswith("(limit 120 s)")
    health.beat_heartbeat()
    assert health._beat()[0] is True
    cache.delete(health.HEARTBEAT_KEY)


def test_the_heartbeat_is_on_beat_schedule_every_30_seconds():
    entry = celery_app.conf.beat_schedule["beat-heartbeat"]
    assert entry["task"] == "config.health.beat_heartbeat"
    assert entry["schedule"] == 30.0
    assert "config.health.beat_heartbeat" in celery_app.tasks


def test_an_unreachable_broker_makes_the_node_unready(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    cache.set(health.HEARTBEAT_KEY, time.time())
    response = client.get("/readyz")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False and "Error" in broker["detail"]
    cache.delete(health.HEARTBEAT_KEY)


def test_a_real_redis_broker_is_reachable(client, settings, redis_url, monkeypatch):
    settings.REDIS_URL = redis_url
    monkeypatch.setattr(celery_app.conf, "broker_url", redis_url)
    assert health._broker() == (True, "ok")


def test_migrations_are_reported_applied(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    assert health._migrations() == (True, "ok")
