"""A real Celery worker on Redis runs the sweep and the notifications; with Redis stopped the
notifications wait in the outbox and, once it is back, each arrives exactly once."""

import contextlib
import datetime as dt
import shutil
import subprocess
import threading
import time
import uuid
from zoneinfo import ZoneInfo

import pytest
from celery._state import _set_task_join_will_block
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from casework import outbox
from casework.models import CaseEvent, OutboxJob
from config.celery import app as celery_app
from tests.conftest import need
from tests.workflows.conftest import free_port

ALMATY = ZoneInfo("Asia/Almaty")
QUEUE = f"baqylau-test-{uuid.uuid4().hex[:8]}"  # nobody else's worker takes our messages
pytestmark = [pytest.mark.redis, pytest.mark.slow]


def wait_for(condition, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _reset_pools() -> None:
    """Forget pooled broker connections so the next message goes to the broker now set."""
    from kombu import pools

    pools.reset()
    celery_app._pool = None
    amqp = celery_app.amqp
    amqp._producer_pool = None
    amqp._rtable = None
    for cached in ("default_queue", "queues", "router"):  # cached from the previous broker
        amqp.__dict__.pop(cached, None)


def own_queue(name: str) -> str:
    """This test run's copy of the project's queue `name`."""
    return f"{QUEUE}-{name}"


def own_queues() -> list[str]:
    """The queues a test worker takes inside `celery_on`: this run's default queue and its copy
    of every queue the project routes tasks to (notify, reports, ...), so that routing is
    exercised as in production."""
    routes = celery_app.conf.task_routes or {}
    routed = {route["queue"] for route in routes.values() if route.get("queue")}
    assert all(name.startswith(QUEUE) for name in routed), "call inside celery_on()"
    return [QUEUE, *sorted(routed)]


@contextlib.contextmanager
def celery_on(broker_url: str):
    """Point the project's Celery app at `broker_url`, on queues of this test's own."""
    keys = ("task_always_eager", "broker_url", "task_default_queue", "task_routes")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = broker_url
    celery_app.conf.task_default_queue = QUEUE
    celery_app.conf.task_routes = {
        task: {**route, "queue": own_queue(route["queue"])} if route.get("queue") else route
        for task, route in (saved["task_routes"] or {}).items()
    }
    _reset_pools()
    try:
        yield celery_app
    finally:
        for key, value in saved.items():
            celery_app.conf[key] = value
        _reset_pools()


@contextlib.contextmanager
def worker():
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            shutdown_timeout=60,
            queues=own_queues(),
        ) as running:
            yield running
    finally:
        # A worker that builds its pool sets celery's process-wide "joining would block" flag
        # (start_worker clears it only once the worker is up, not when it fails to start or
        # rebuilds its pool after losing the broker); left set, every later eager
        # `.apply().get()` in this test process refuses to run.
        _set_task_join_will_block(False)
        connections.close_all()


@pytest.fixture
def private_redis():
    """A redis-server of this test's own, so that stopping it disturbs nobody else."""
    binary = shutil.which("redis-server")
    need(binary is not None, "redis-server (the Redis package)")
    port = free_port()

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            self.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],  # fmt: skip
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            import redis

            client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
            wait_for(lambda: _pings(client), 10, "redis-server to start")

        def stop(self):
            if self.process is not None:
                self.process.terminate()
                self.process.wait(10)
                self.process = None

    server = Server()
    server.start()
    yield server
    server.stop()


@contextlib.contextmanager
def tasks_finished(name: str, count: int):
    """An event set once a worker has finished `count` runs of the task `name` (a positive signal
    to wait for before checking that nothing more happened)."""
    done = threading.Event()
    finished: list[str] = []

    def record(sender=None, **kwargs) -> None:
        if sender is not None and sender.name == name:
            finished.append(name)
            if len(finished) >= count:
                done.set()

    task_postrun.connect(record, weak=False)
    try:
        yield done
    finally:
        task_postrun.disconnect(record)


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


def with_email(*users):
    for user in users:
        user.email = f"{user.username}@example.kz"
        user.save(update_fields=["email"])


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_sweep_and_sends_the_notifications(redis_url, smtp, world):
    from casework.tasks import sweep_deadlines

    with_email(world.clerk, world.investigator)
    with celery_on(redis_url), worker():
        case = world.case(received_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=ALMATY))
        wait_for(lambda: smtp.to("clerk@example.kz"), what="the new-task e-mail")
        sweep_deadlines.delay()  # as beat does every minute
        wait_for(
            lambda: CaseEvent.objects.filter(case=case, action="escalate").count() == 3,
            what="the sweep",
        )
        wait_for(lambda: smtp.to("investigator@example.kz"), what="the level 3 e-mail")
        wait_for(
            lambda: not OutboxJob.objects.filter(status="pending").exists(), what="an empty outbox"
        )
        clerk_mail = len(smtp.to("clerk@example.kz"))
        with tasks_finished(sweep_deadlines.name, 1) as finished:
            sweep_deadlines.delay()  # a second run escalates nothing again
            assert finished.wait(30), "the second sweep did not run"
        # Anything it had queued would be run by now (the worker runs jobs in order).
        wait_for(
            lambda: not OutboxJob.objects.filter(status="pending").exists(), what="an empty outbox"
        )
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 3
    assert len(smtp.to("investigator@example.kz")) == 1
    assert len(smtp.to("clerk@example.kz")) == clerk_mail == 2  # new task, level 1 reminder


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_notifications_wait_and_arrive_once(private_redis, smtp, world):
    with_email(world.clerk)
    with celery_on(private_redis.url):
        with worker():
            first = world.case()
            wait_for(lambda: len(smtp.to("clerk@example.kz")) == 1, what="the first e-mail")
        private_redis.stop()
        later = [world.case(), world.case()]  # the actions work; their side effects wait
        pending = OutboxJob.objects.filter(status="pending")
        # One job per subscriber of each case's first event: the new-task notice among them.
        assert pending.filter(kind="staff_task_created").count() == 2
        # The hand-over to the dead broker failed, and the jobs say so: no copy is queued.
        wait_for(
            lambda: not pending.filter(queued_at__isnull=False).exists(),
            what="the failed hand-over to be noted",
        )
        assert len(smtp.to("clerk@example.kz")) == 1
        private_redis.start()
        with worker():
            assert outbox.relay() == pending.count()  # what beat's relay does every minute
            wait_for(lambda: len(smtp.to("clerk@example.kz")) == 3, what="the waiting e-mails")
            wait_for(lambda: not OutboxJob.objects.filter(status="pending").exists(), what="relay")
            # Running every job again changes nothing: each was sent once.
            from casework.tasks import outbox_run

            job_ids = list(OutboxJob.objects.values_list("pk", flat=True))
            with tasks_finished(outbox_run.name, len(job_ids)) as finished:
                for job_id in job_ids:
                    outbox_run.delay(job_id)
                assert outbox.relay() == 0
                assert finished.wait(30), "the worker did not run every job again"
    subjects = sorted(str(m["Subject"]) for m in smtp.to("clerk@example.kz"))
    assert len(subjects) == 3
    for case in [first, *later]:
        assert sum(case.tracking_code in s for s in subjects) == 1
