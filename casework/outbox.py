"""The transactional outbox: side effects are rows written with the change that causes them.

`publish(topic, payload)` inside a service's transaction writes one `OutboxJob` per handler that
subscribed to the topic. After commit each job is handed to Celery on its kind's queue; if the
broker is down the job simply stays pending and `outbox_relay` (beat, every minute, or
`manage.py relay_outbox`) hands it over later.

A job has at most one copy queued: `queued_at` marks the copy in the broker, and the relay hands
over only due jobs without one. `job_run` claims the row in one short UPDATE (the job is due and
pending; its next due moment becomes a lease) and commits; then the handler runs in a transaction
of its own, with no lock on the job, and the job is marked done in that same transaction (so the
handler's own writes and "done" commit together); a failure rolls them back and records the next
attempt after an exponential back-off. A copy that arrives early, late or twice finds the job
not due or done and does nothing. A handler must not lock rows before a slow call (HTTP, e-mail),
and a message it sent goes again only if its worker dies before the commit.
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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from casework.models import OutboxJob

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, Handler] = {}
_subscriptions: dict[str, list[str]] = {}
_queues: dict[str, str] = {}

MAX_ATTEMPTS = 8
# A claimed job is not due again before this: longer than any handler runs (each platform call
# gives up within about half a minute), so only a dead worker's job is run again.
CLAIM_LEASE = dt.timedelta(minutes=10)
NO_HANDLER_WAIT = dt.timedelta(minutes=5)

# Celery queues (a worker each in production). Messages to citizens and over the chat platforms
# go to `notify`, so a platform that keeps failing never delays staff e-mail or intake. Each queue
# has its own pair of tasks, and CELERY_TASK_ROUTES (config/settings.py) sends them there.
QUEUE_DEFAULT = "default"
QUEUE_NOTIFY = "notify"


def handler(
    kind: str, *, topics: tuple[str, ...] = (), queue: str = QUEUE_DEFAULT
) -> Callable[[Handler], Handler]:
    """Register a job handler under `kind`, optionally subscribed to published topics; its jobs
    run on the Celery `queue`."""

    def register(func: Handler) -> Handler:
        _handlers[kind] = func
        _queues[kind] = queue
        for topic in topics:
            kinds = _subscriptions.setdefault(topic, [])
            if kind not in kinds:
                kinds.append(kind)
        return func

    return register


def queue_of(kind: str) -> str:
    return _queues.get(kind, QUEUE_DEFAULT)


def subscribers(topic: str) -> list[str]:
    return list(_subscriptions.get(topic, []))


_holding = threading.local()


@contextmanager
def held() -> Iterator[None]:
    """Jobs written inside are not handed to Celery after commit: they stay pending, with no
    queued copy, for the relay or for the caller to settle (a bulk load such as the demo seed,
    whose thousands of jobs are not news, would otherwise hand each over one by one)."""
    previous = getattr(_holding, "on", False)
    _holding.on = True
    try:
        yield
    finally:
        _holding.on = previous


def _is_held() -> bool:
    return getattr(_holding, "on", False)


def enqueue(
    kind: str, payload: dict[str, Any], *, dedupe_key: str | None = None
) -> OutboxJob | None:
    """Write one job in the current transaction; hand it to Celery after commit.

    A job whose dedupe_key already exists is not written again (returns None)."""
    if dedupe_key is not None and OutboxJob.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    if _is_held():
        return OutboxJob.objects.create(kind=kind, payload=payload, dedupe_key=dedupe_key)
    job = OutboxJob.objects.create(
        kind=kind, payload=payload, dedupe_key=dedupe_key, queued_at=timezone.now()
    )
    transaction.on_commit(lambda: dispatch(job.pk, kind))
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
        jobs = _insert_jobs(rows)
    else:
        now = timezone.now()
        created = [OutboxJob(kind=k, payload=p, dedupe_key=d, queued_at=now) for k, p, d in rows]
        OutboxJob.objects.bulk_create(created, batch_size=1000)
        jobs = [(job.pk, job.kind) for job in created]
    if _is_held():
        OutboxJob.objects.filter(pk__in=[pk for pk, _kind in jobs]).update(queued_at=None)
    else:
        transaction.on_commit(lambda: dispatch_many(jobs))
    return len(jobs)


def _insert_jobs(rows: list[tuple[str, dict[str, Any], str]]) -> list[tuple[int, str]]:
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
                available_at, queued_at, attempts, last_error)
            SELECT kind, payload, dedupe_key, 'pending', %s, %s, %s, 0, ''
            FROM json_to_recordset(%s::json) AS u(kind text, payload jsonb, dedupe_key text)
            RETURNING id, kind
            """,
            [now, now, now, rows_json],
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]


BATCH_SIZE = 50
# How long a web process lets job ids gather before it publishes them. A Celery publish costs
# about half a millisecond of CPU; at a busy webhook's rate (~1,000 messages/s per process) 50 ms
# makes batches of ~50 instead of ~10, and a citizen's reply comes 50 ms later at most.
BATCH_WAIT_SECONDS = 0.05


def dispatch_many(jobs: Iterable[tuple[int, str]]) -> None:
    """Hand many committed (job id, kind) pairs to Celery, a batch per message and queue; like
    `dispatch`, a dead broker is logged and the rows wait for the relay."""
    by_queue: dict[str, list[int]] = {}
    for job_id, kind in jobs:
        by_queue.setdefault(queue_of(kind), []).append(job_id)
    for queue_name, job_ids in by_queue.items():
        for start in range(0, len(job_ids), BATCH_SIZE):
            _publish(job_ids[start : start + BATCH_SIZE], queue_name)


def _publish(job_ids: list[int], queue_name: str) -> None:
    """One Celery message for a batch of committed jobs. A broker failure is logged, not raised:
    the rows lose their queued mark and the relay hands them over later."""
    run_one, run_many = _TASKS[queue_name]
    try:
        if len(job_ids) == 1:
            run_one.apply_async((job_ids[0],))
        else:
            run_many.apply_async((job_ids,))
    except Exception as exc:  # kombu raises several types when the broker is unreachable
        log.warning("outbox jobs %s stay pending: broker unavailable (%s)", job_ids, exc)
        _unqueue(job_ids)


def _unqueue(job_ids: list[int]) -> None:
    try:
        OutboxJob.objects.filter(pk__in=job_ids, status=OutboxJob.Status.PENDING).update(
            queued_at=None
        )
    except Exception as exc:  # the database may be gone too: the copy then counts as stale later
        log.warning("outbox jobs %s keep their queued mark (%s)", job_ids, exc)


class _Batcher:
    """Gathers the job ids a process commits and publishes them in batches from one thread, so a
    busy web worker sends one broker message per batch instead of one per job. Ids still in the
    queue when the process dies are not lost: their rows are pending and the relay finds them
    once their queued mark is stale."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.jobs: queue.SimpleQueue[tuple[int, str]] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="outbox-dispatch", daemon=True)
        self.thread.start()

    def put(self, job_id: int, kind: str) -> None:
        self.jobs.put((job_id, kind))

    def _run(self) -> None:
        # Wakes once per batch, not once per job: it blocks for the first id, lets the batch
        # gather for BATCH_WAIT_SECONDS, then takes whatever came. Waking on every put cost a
        # busy webhook worker a thread switch per message.
        while True:
            first = self.jobs.get()
            time.sleep(BATCH_WAIT_SECONDS)
            self._publish_queued([first])
            # Only a broker failure touches the database here; don't keep that connection.
            connections.close_all()

    def _publish_queued(self, batch: list[tuple[int, str]]) -> None:
        while True:
            try:
                batch.append(self.jobs.get_nowait())
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


def dispatch(job_id: int, kind: str) -> None:
    """Hand a committed job (written with its queued mark) to Celery: at once when tasks run
    eagerly (the embedded mode), otherwise through this process's batching thread."""
    from celery import current_app

    if current_app.conf.task_always_eager:
        _publish([job_id], queue_of(kind))
    else:
        _batcher_for_this_process().put(job_id, kind)


# --- running a job: claim, commit, act, record ------------------------------------------------


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a job waits after its `attempts`-th failed attempt."""
    return dt.timedelta(seconds=settings.OUTBOX_RETRY_BASE_S * 2**attempts)


def _claim(job_id: int) -> OutboxJob | str:
    """Take a due pending job for this worker in one UPDATE (committed at once): the job is not
    due again before the lease ends, and its queued copy is used up. A job that is not pending
    or not yet due is left alone; the reason is returned instead."""
    now = timezone.now()
    claimed = OutboxJob.objects.filter(
        pk=job_id, status=OutboxJob.Status.PENDING, available_at__lte=now
    ).update(
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        available_at=now + CLAIM_LEASE,
        queued_at=None,
    )
    job = OutboxJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    if not claimed:
        if job.status != OutboxJob.Status.PENDING:
            return "already-" + job.status
        return "not-due"  # waiting for its back-off, or another worker is running it
    return job


def _record(job: OutboxJob, **fields: Any) -> None:
    """Write the outcome of the attempt this worker claimed (and of no later one)."""
    OutboxJob.objects.filter(
        pk=job.pk, status=OutboxJob.Status.PENDING, attempts=job.attempts
    ).update(**fields)


def job_run(job_id: int) -> str:
    """Run one due job once. Returns what happened, for logs and tests."""
    claim = _claim(job_id)
    if isinstance(claim, str):
        return claim
    job = claim
    func = _handlers.get(job.kind)
    if func is None:
        _record(
            job,
            last_error=f"no handler registered for {job.kind!r}",
            available_at=timezone.now() + NO_HANDLER_WAIT,
        )
        return "no-handler"
    try:
        with transaction.atomic():
            func(job.payload)
            _record(job, status=OutboxJob.Status.DONE, done_at=timezone.now())
    except Exception as exc:
        log.exception("outbox job %s (%s) failed", job.pk, job.kind)
        gave_up = job.attempts >= MAX_ATTEMPTS
        _record(
            job,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            status=OutboxJob.Status.FAILED if gave_up else OutboxJob.Status.PENDING,
            available_at=timezone.now() + retry_delay(job.attempts),
        )
        return "failed"
    return "done"


# --- the relay -----------------------------------------------------------------------------


def pending_ids(limit: int = 500) -> list[int]:
    """Due pending jobs, whether or not a copy of them is queued."""
    return list(
        OutboxJob.objects.filter(status=OutboxJob.Status.PENDING, available_at__lte=timezone.now())
        .order_by("available_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def _mark_queued(limit: int) -> list[tuple[int, str]]:
    """Due pending jobs with no live queued copy, marked queued now (rows another relay is
    marking are skipped, so two relays never hand over the same job)."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_S)
    with transaction.atomic():
        jobs = list(
            OutboxJob.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxJob.Status.PENDING, available_at__lte=now)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
            .order_by("available_at", "id")
            .values_list("id", "kind")[:limit]
        )
        OutboxJob.objects.filter(pk__in=[job_id for job_id, _kind in jobs]).update(queued_at=now)
    return jobs


def relay(*, inline: bool = False, limit: int = 500) -> int:
    """Hand every due pending job without a queued copy to Celery, or run every due job here
    when `inline`. Returns the count."""
    if inline:
        ids = pending_ids(limit)
        for job_id in ids:
            job_run(job_id)
        return len(ids)
    jobs = _mark_queued(limit)
    dispatch_many(jobs)
    return len(jobs)


# The Celery tasks (named as they were when they lived in casework/tasks.py): the same work under
# one name per queue, so that routing stays in CELERY_TASK_ROUTES.


def _run_many(job_ids: list[int]) -> dict[str, int]:
    outcomes: dict[str, int] = {}
    for job_id in job_ids:
        outcome = job_run(job_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(name="casework.tasks.outbox_run", ignore_result=True)
def outbox_run(job_id: int) -> str:
    return job_run(job_id)


@shared_task(name="casework.tasks.outbox_run_many", ignore_result=True)
def outbox_run_many(job_ids: list[int]) -> dict[str, int]:
    return _run_many(job_ids)


@shared_task(name="casework.tasks.outbox_notify_run", ignore_result=True)
def outbox_notify_run(job_id: int) -> str:
    return job_run(job_id)


@shared_task(name="casework.tasks.outbox_notify_run_many", ignore_result=True)
def outbox_notify_run_many(job_ids: list[int]) -> dict[str, int]:
    return _run_many(job_ids)


_TASKS = {
    QUEUE_DEFAULT: (outbox_run, outbox_run_many),
    QUEUE_NOTIFY: (outbox_notify_run, outbox_notify_run_many),
}


@shared_task(name="casework.tasks.outbox_relay", ignore_result=True)
def outbox_relay() -> int:
    return relay()
