"""The transactional outbox: side effects are rows written with the change that causes them.

`publish(topic, payload)` inside a service's transaction writes one `OutboxJob` per handler that
subscribed to the topic. After commit each job is handed to Celery; if the broker is down the job
simply stays pending and `outbox_relay` (beat, every minute, or `manage.py relay_outbox`) hands it
over later. `job_run` claims the row under a lock and marks it done in the same transaction as the
handler's own writes, so running a job twice never sends twice.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone

from casework.models import OutboxJob

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, Handler] = {}
_subscriptions: dict[str, list[str]] = {}

MAX_ATTEMPTS = 8


def handler(kind: str, *, topics: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
    """Register a job handler under `kind`, optionally subscribed to published topics."""

    def register(func: Handler) -> Handler:
        _handlers[kind] = func
        for topic in topics:
            kinds = _subscriptions.setdefault(topic, [])
            if kind not in kinds:
                kinds.append(kind)
        return func

    return register


def subscribers(topic: str) -> list[str]:
    return list(_subscriptions.get(topic, []))


def enqueue(
    kind: str, payload: dict[str, Any], *, dedupe_key: str | None = None
) -> OutboxJob | None:
    """Write one job in the current transaction; hand it to Celery after commit.

    A job whose dedupe_key already exists is not written again (returns None)."""
    if dedupe_key is not None and OutboxJob.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    job = OutboxJob.objects.create(kind=kind, payload=payload, dedupe_key=dedupe_key)
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def publish(topic: str, payload: dict[str, Any], *, key: str) -> list[OutboxJob]:
    """One job per subscriber of `topic`; `key` makes each job unique (e.g. the event id)."""
    jobs = []
    for kind in subscribers(topic):
        job = enqueue(kind, {**payload, "topic": topic}, dedupe_key=f"{kind}:{key}")
        if job is not None:
            jobs.append(job)
    return jobs


def publish_many(topic: str, items: list[tuple[dict[str, Any], str]]) -> int:
    """`publish` for many (payload, key) pairs at once: one INSERT, one hand-over after commit.

    For set-based writers such as the deadline sweep. Keys must be new (an event id each)."""
    rows = [
        (kind, {**payload, "topic": topic}, f"{kind}:{key}")
        for payload, key in items
        for kind in subscribers(topic)
    ]
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        ids = _insert_jobs(rows)
    else:
        jobs = [OutboxJob(kind=k, payload=p, dedupe_key=d) for k, p, d in rows]
        OutboxJob.objects.bulk_create(jobs, batch_size=1000)
        ids = [job.pk for job in jobs]
    transaction.on_commit(lambda: dispatch_many(ids))
    return len(ids)


def _insert_jobs(rows: list[tuple[str, dict[str, Any], str]]) -> list[int]:
    """PostgreSQL: all the jobs in one statement over one JSON document."""
    now = timezone.now()
    rows_json = json.dumps(
        [{"kind": kind, "payload": payload, "dedupe_key": key} for kind, payload, key in rows],
        default=str,
        ensure_ascii=False,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO casework_outboxjob (kind, payload, dedupe_key, status, created_at,
                available_at, attempts, last_error)
            SELECT kind, payload, dedupe_key, 'pending', %s, %s, 0, ''
            FROM json_to_recordset(%s::json) AS u(kind text, payload jsonb, dedupe_key text)
            RETURNING id
            """,
            [now, now, rows_json],
        )
        return [row[0] for row in cursor.fetchall()]


BATCH_SIZE = 50
# How long a web process lets job ids gather before it publishes them. A Celery publish costs
# about half a millisecond of CPU; at a busy webhook's rate (~1,000 messages/s per process) 50 ms
# makes batches of ~50 instead of ~10, and a citizen's reply comes 50 ms later at most.
BATCH_WAIT_SECONDS = 0.05


def dispatch_many(job_ids: list[int]) -> None:
    """Hand many committed jobs to Celery, a batch per message; like `dispatch`, a dead broker
    is logged and the rows wait for the relay."""
    for start in range(0, len(job_ids), BATCH_SIZE):
        _publish(list(job_ids[start : start + BATCH_SIZE]))


def _publish(job_ids: list[int]) -> None:
    """One Celery message for a batch of committed jobs. A broker failure is logged, not raised:
    the rows stay pending and the relay hands them over later."""
    try:
        if len(job_ids) == 1:
            outbox_run.delay(job_ids[0])
        else:
            outbox_run_many.delay(job_ids)
    except Exception as exc:  # kombu raises several types when the broker is unreachable
        log.warning("outbox jobs %s stay pending: broker unavailable (%s)", job_ids, exc)


class _Batcher:
    """Gathers the job ids a process commits and publishes them in batches from one thread, so a
    busy web worker sends one broker message per batch instead of one per job. Ids still in the
    queue when the process dies are not lost: their rows are pending and the relay finds them."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.ids: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="outbox-dispatch", daemon=True)
        self.thread.start()

    def put(self, job_id: int) -> None:
        self.ids.put(job_id)

    def _run(self) -> None:
        # Wakes once per batch, not once per job: it blocks for the first id, lets the batch
        # gather for BATCH_WAIT_SECONDS, then takes whatever came. Waking on every put cost a
        # busy webhook worker a thread switch per message.
        while True:
            first = self.ids.get()
            time.sleep(BATCH_WAIT_SECONDS)
            self._publish_queued([first])

    def _publish_queued(self, batch: list[int]) -> None:
        while True:
            try:
                batch.append(self.ids.get_nowait())
            except queue.Empty:
                break
        dispatch_many(batch)

    def drain(self) -> None:
        self._publish_queued([])


_batcher: _Batcher | None = None
_batcher_lock = threading.Lock()


def _batcher_for_this_process() -> _Batcher:
    global _batcher
    with _batcher_lock:
        if _batcher is None or _batcher.pid != os.getpid():  # a forked worker starts its own
            _batcher = _Batcher()
            atexit.register(_batcher.drain)
        return _batcher


def dispatch(job_id: int) -> None:
    """Hand a committed job to Celery: at once when tasks run eagerly (the embedded mode),
    otherwise through this process's batching thread."""
    from celery import current_app

    if current_app.conf.task_always_eager:
        _publish([job_id])
    else:
        _batcher_for_this_process().put(job_id)


def job_run(job_id: int) -> str:
    """Run one job exactly once. Returns what happened, for logs and tests."""
    with transaction.atomic():
        job = OutboxJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return "missing"
        if job.status != OutboxJob.Status.PENDING:
            return "already-" + job.status
        func = _handlers.get(job.kind)
        if func is None:
            job.attempts += 1
            job.last_error = f"no handler registered for {job.kind!r}"
            job.available_at = timezone.now() + dt.timedelta(minutes=5)
            job.save(update_fields=["attempts", "last_error", "available_at"])
            return "no-handler"
        try:
            with transaction.atomic():
                func(job.payload)
        except Exception as exc:
            log.exception("outbox job %s (%s) failed", job.pk, job.kind)
            job.attempts += 1
            job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if job.attempts >= MAX_ATTEMPTS:
                job.status = OutboxJob.Status.FAILED
            job.available_at = timezone.now() + dt.timedelta(seconds=30 * 2**job.attempts)
            job.save(update_fields=["attempts", "last_error", "status", "available_at"])
            return "failed"
        job.status = OutboxJob.Status.DONE
        job.done_at = timezone.now()
        job.attempts += 1
        job.save(update_fields=["status", "done_at", "attempts"])
        return "done"


def pending_ids(limit: int = 500) -> list[int]:
    return list(
        OutboxJob.objects.filter(status=OutboxJob.Status.PENDING, available_at__lte=timezone.now())
        .order_by("available_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def relay(*, inline: bool = False, limit: int = 500) -> int:
    """Hand every due pending job to Celery (or run them here when `inline`). Returns the count."""
    ids = pending_ids(limit)
    if inline:
        for job_id in ids:
            job_run(job_id)
    else:
        for start in range(0, len(ids), BATCH_SIZE):
            _publish(ids[start : start + BATCH_SIZE])
    return len(ids)


# The Celery tasks (named as they were when they lived in casework/tasks.py).


@shared_task(name="casework.tasks.outbox_run", ignore_result=True)
def outbox_run(job_id: int) -> str:
    return job_run(job_id)


@shared_task(name="casework.tasks.outbox_run_many", ignore_result=True)
def outbox_run_many(job_ids: list[int]) -> dict[str, int]:
    outcomes: dict[str, int] = {}
    for job_id in job_ids:
        outcome = job_run(job_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(name="casework.tasks.outbox_relay", ignore_result=True)
def outbox_relay() -> int:
    return relay()
