"""/healthz (the process answers) and /readyz (it can do its work), and beat's heartbeat.

/readyz checks, each with a short timeout: the database answers; the broker (Redis, through
Sentinel when so configured) answers; every migration is applied; the outbox backlog (jobs due and
not done) is under READY_OUTBOX_BACKLOG_MAX; beat's heartbeat, a task it sends every 30 seconds
and a `default` worker runs, is younger than READY_BEAT_MAX_AGE_S. In embedded mode (no
REDIS_URL) there is no broker and no beat: those two checks say so and pass. The replica, when
there is one, is reported but does not make the node unready: only the heavy reads use it.
"""

from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

HEARTBEAT_KEY = "baqylau:beat-heartbeat"
HEARTBEAT_EVERY_S = 30.0

_migrations_applied = False


@shared_task(name="config.health.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> float:
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=24 * 3600)
    return now


def _database(alias: str) -> tuple[bool, str]:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return False, f"{type(error).__name__}: {error}"[:300]
    return True, "ok"


def _broker() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return True, "embedded (tasks run in the request)"
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            conn.default_channel.client.ping()
    except Exception as error:
        return False, f"{type(error).__name__}: {error}"[:300]
    return True, "ok"


def _migrations() -> tuple[bool, str]:
    global _migrations_applied
    if _migrations_applied:
        return True, "ok"
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        return False, f"{type(error).__name__}: {error}"[:300]
    if plan:
        return False, f"{len(plan)} unapplied, first {plan[0][0].app_label}.{plan[0][0].name}"
    _migrations_applied = True  # a running node never sees migrations un-applied
    return True, "ok"


def _outbox() -> tuple[bool, str]:
    from casework.models import OutboxJob

    try:
        backlog = OutboxJob.objects.filter(
            status=OutboxJob.Status.PENDING, available_at__lte=timezone.now()
        ).count()
    except Exception as error:
        return False, f"{type(error).__name__}: {error}"[:300]
    limit = settings.READY_OUTBOX_BACKLOG_MAX
    return backlog < limit, f"{backlog} due (limit {limit})"


def _beat() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return True, "embedded (no beat)"
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception as error:
        return False, f"{type(error).__name__}: {error}"[:300]
    if beat is None:
        return False, "no heartbeat yet"
    age = time.time() - float(beat)
    limit = settings.READY_BEAT_MAX_AGE_S
    return age < limit, f"{age:.0f} s old (limit {limit} s)"


def readiness() -> dict:
    checks = {
        "database": _database(DEFAULT_DB_ALIAS),
        "broker": _broker(),
        "migrations": _migrations(),
        "outbox": _outbox(),
        "beat": _beat(),
    }
    required = all(ok for ok, _ in checks.values())
    if "replica" in connections.settings:
        checks["replica"] = _database("replica")
    return {
        "ready": required,
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    report = readiness()
    return JsonResponse(report, status=200 if report["ready"] else 503)
