"""Redis goes down in the middle of a burst of 200 WhatsApp webhooks.

Real parts: gunicorn serving the app on the test database, a Celery worker, and a redis-server of
this test's own on a free port (never the shared one), which the test stops and starts again. The
platforms' APIs are the local stand-in. Every webhook must get its 200, every message must be
stored, and after Redis is back (and the outbox relay has run, as beat does every minute) every
message is processed: 100 senders, 100 cases, one answer per message.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from casework.models import Case, OutboxJob
from config.celery import app as celery_app
from intake.models import InboundMessage
from tests.conftest import need
from tests.intake.conftest import WA_SECRET, body_of, sign, wa_location, wa_text
from tests.pg_roles import app_database_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
SENDERS = 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def wait_for_condition(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def redis_start(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return process


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def project_queues() -> list[str]:
    """Every queue the project sends tasks to, as the production workers take them together."""
    routes = celery_app.conf.task_routes or {}
    routed = {route["queue"] for route in routes.values() if route.get("queue")}
    return sorted({celery_app.conf.task_default_queue, *routed})


def post(port: int, payload: dict) -> int:
    body = body_of(payload)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/intake/whatsapp/",
        data=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, WA_SECRET)},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_redis_stopped_during_a_burst_loses_nothing(
    requires_postgres, app_role, channels, settings
):
    need(shutil.which("redis-server") is not None, "redis-server (Debian package redis-server)")
    redis_port, web_port = free_port(), free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        # The app runs as in production: as a role that does not own the tables.
        "DATABASE_URL": app_database_url(),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "DB_CONN_MAX_AGE": "0",
        "LOG_LEVEL": "ERROR",
        # Copies that were in Redis when it stopped (it keeps no data here) are handed over
        # again after this, instead of production's ten minutes.
        "OUTBOX_REQUEUE_AFTER_S": "10",
    }
    processes: list[subprocess.Popen] = []
    redis = redis_start(redis_port)
    try:
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{web_port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-c",
                "2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                ",".join(project_queues()),
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
        )
        processes += [web, worker]
        wait_for_port(web_port)

        payloads = [
            wa_text(f"wamid.t{i}", f"Яма номер {i} на дороге", wa_id=f"7701000{i:04d}")
            for i in range(SENDERS)
        ]
        payloads += [wa_location(f"wamid.l{i}", wa_id=f"7701000{i:04d}") for i in range(SENDERS)]
        statuses: list[int] = []
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses += pool.map(lambda p: post(web_port, p), payloads[:60])
            stop(redis)  # Redis goes down in the middle of the burst
            statuses += pool.map(lambda p: post(web_port, p), payloads[60:])

        assert statuses == [200] * 200
        assert InboundMessage.objects.count() == 200  # 0 lost: every message is stored
        assert InboundMessage.objects.filter(processed_at__isnull=True).exists()  # some wait

        redis = redis_start(redis_port)  # Redis is back
        deadline = time.monotonic() + 120
        next_relay = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_relay:
                # What beat's outbox_relay does every minute, here every few seconds.
                relay = subprocess.run(
                    [
                        sys.executable,
                        "manage.py",
                        "shell",
                        "-c",
                        "from casework import outbox; outbox.relay()",
                    ],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                assert relay.returncode == 0, relay.stderr
                next_relay = time.monotonic() + 8
            pending = InboundMessage.objects.filter(processed_at__isnull=True).count()
            if pending == 0 and len(channels.sent_to("whatsapp")) >= 200:
                break
            time.sleep(0.5)
        assert InboundMessage.objects.filter(processed_at__isnull=True).count() == 0
        assert InboundMessage.objects.exclude(error="").count() == 0
        assert Case.objects.count() == SENDERS
        # Every job has run to its end, so no send is still on its way; then count them.
        wait_for_condition(
            lambda: not OutboxJob.objects.filter(status=OutboxJob.Status.PENDING).exists(),
            "every outbox job done",
        )
        assert not OutboxJob.objects.filter(status=OutboxJob.Status.FAILED).exists()
        assert len(channels.sent_to("whatsapp")) == 2 * SENDERS  # one answer per message
    finally:
        for process in processes:
            stop(process)
        stop(redis)
