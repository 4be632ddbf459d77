import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from casework import outbox
from casework.models import OutboxJob

pytestmark = pytest.mark.django_db(transaction=True)

calls: list[dict] = []


@outbox.handler("test.record", topics=("test.topic",))
def _record(payload):
    calls.append(payload)


@outbox.handler("test.explode")
def _explode(payload):
    raise RuntimeError("smtp down")


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()
    yield
    calls.clear()


def test_job_runs_after_commit_exactly_once():
    with transaction.atomic():
        job = outbox.enqueue("test.record", {"n": 1})
        assert calls == []  # nothing before commit
    assert calls == [{"n": 1}]
    assert OutboxJob.objects.get(pk=job.pk).status == "done"
    assert outbox.job_run(job.pk) == "already-done"
    assert calls == [{"n": 1}]


def test_rolled_back_change_leaves_no_job():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("test.record", {"n": 2})
        raise RuntimeError("the service failed")
    assert not OutboxJob.objects.exists() and calls == []


def test_dedupe_key_writes_a_job_once():
    with transaction.atomic():
        assert outbox.enqueue("test.record", {"n": 3}, dedupe_key="k1") is not None
        assert outbox.enqueue("test.record", {"n": 3}, dedupe_key="k1") is None
    assert OutboxJob.objects.count() == 1 and calls == [{"n": 3}]


def test_publish_makes_one_job_per_subscriber():
    with transaction.atomic():
        jobs = outbox.publish("test.topic", {"case": 7}, key="event-1")
        outbox.publish("test.topic", {"case": 7}, key="event-1")
    assert [j.kind for j in jobs] == ["test.record"]
    assert calls == [{"case": 7, "topic": "test.topic"}]


def test_failing_job_stays_pending_with_its_error_and_backs_off():
    with transaction.atomic():
        job = outbox.enqueue("test.explode", {})
    job.refresh_from_db()
    assert job.status == "pending" and job.attempts == 1 and "smtp down" in job.last_error
    assert job.available_at > job.created_at
    assert job.pk not in outbox.pending_ids()  # not due yet


def test_broker_failure_leaves_the_job_for_the_relay(monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(outbox.outbox_run, "apply_async", broker_down)
    with transaction.atomic():
        job = outbox.enqueue("test.record", {"n": 4})
    job.refresh_from_db()
    assert job.status == "pending" and calls == []
    assert job.queued_at is None  # no copy in the broker: the relay's next run hands it over
    monkeypatch.undo()
    assert outbox.relay(inline=True) == 1
    assert calls == [{"n": 4}] and OutboxJob.objects.get(pk=job.pk).status == "done"


def test_job_without_handler_waits():
    with transaction.atomic():
        job = outbox.enqueue("nobody.handles.this", {})
    job.refresh_from_db()
    assert job.status == "pending" and "no handler" in job.last_error


def test_workers_publish_committed_jobs_in_batches(monkeypatch):
    """With a real broker (tasks not eager) a web process sends one message per batch."""
    import threading
    import time

    from config.celery import app as celery_app

    published: list[list[int]] = []
    done = threading.Event()

    def capture(job_ids, queue_name):
        published.append(list(job_ids))
        if sum(map(len, published)) >= 20:
            done.set()

    monkeypatch.setattr(outbox, "_publish", capture)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(outbox, "BATCH_WAIT_SECONDS", 0.2)
    ids = []
    for n in range(20):
        with transaction.atomic():
            ids.append(outbox.enqueue("test.record", {"n": n}).pk)
    assert done.wait(5), published
    time.sleep(0.05)
    assert sorted(i for batch in published for i in batch) == sorted(ids)
    assert len(published) < len(ids)  # batched, not one message per job
    assert calls == []  # nothing ran here: the worker would run them
    assert outbox.outbox_run_many.run(ids) == {"done": 20}
    assert len(calls) == 20


def test_the_database_refuses_a_second_job_with_the_same_dedupe_key():
    from django.db import IntegrityError

    OutboxJob.objects.create(kind="test.record", dedupe_key="same")
    OutboxJob.objects.create(kind="test.record")  # jobs without a key never clash
    OutboxJob.objects.create(kind="test.record")
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxJob.objects.create(kind="test.record", dedupe_key="same")
    assert OutboxJob.objects.filter(dedupe_key="same").count() == 1


@outbox.handler("test.notify", queue=outbox.QUEUE_NOTIFY)
def _notify(payload):
    calls.append(payload)


def _make_due(job_id: int) -> None:
    OutboxJob.objects.filter(pk=job_id).update(available_at=timezone.now())


def test_a_copy_that_comes_before_the_back_off_ends_does_nothing(settings):
    settings.OUTBOX_RETRY_BASE_S = 30
    with transaction.atomic():
        job = outbox.enqueue("test.explode", {})
    job.refresh_from_db()
    first_wait = job.available_at - job.last_attempt_at  # from the attempt's start
    assert dt.timedelta(seconds=60) <= first_wait < dt.timedelta(seconds=61)
    assert outbox.job_run(job.pk) == "not-due"  # a second copy: the back-off holds
    assert OutboxJob.objects.get(pk=job.pk).attempts == 1
    _make_due(job.pk)
    assert outbox.job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.attempts == 2
    second_wait = job.available_at - job.last_attempt_at
    assert dt.timedelta(seconds=120) <= second_wait < dt.timedelta(seconds=121)  # exponential


def test_a_job_gives_up_after_its_last_attempt():
    with transaction.atomic():
        job = outbox.enqueue("test.explode", {})
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        _make_due(job.pk)
        assert outbox.job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == outbox.MAX_ATTEMPTS
    _make_due(job.pk)
    assert outbox.job_run(job.pk) == "already-failed"


seen_inside: list[str] = []


@outbox.handler("test.reentrant")
def _reentrant(payload):
    # Another copy of this very job, run while this one acts: the claim keeps it out.
    seen_inside.append(outbox.job_run(payload["self"]))


def test_a_running_job_is_claimed_and_a_second_copy_leaves_it_alone():
    seen_inside.clear()
    job = OutboxJob.objects.create(kind="test.reentrant", payload={})
    OutboxJob.objects.filter(pk=job.pk).update(payload={"self": job.pk})
    assert outbox.job_run(job.pk) == "done"
    assert seen_inside == ["not-due"]
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 1 and job.queued_at is None


def test_the_relay_hands_over_each_due_job_once_until_its_copy_is_stale(monkeypatch, settings):
    from config.celery import app as celery_app

    published: list[tuple[list[int], str]] = []
    monkeypatch.setattr(outbox, "_publish", lambda ids, queue: published.append((ids, queue)))
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    fresh = OutboxJob.objects.create(kind="test.record", payload={})  # as a broker failure left it
    queued = OutboxJob.objects.create(kind="test.record", payload={}, queued_at=timezone.now())
    later = OutboxJob.objects.create(
        kind="test.record", payload={}, available_at=timezone.now() + dt.timedelta(minutes=1)
    )
    assert outbox.relay() == 1
    assert published == [([fresh.pk], "default")]
    assert outbox.relay() == 0  # its copy is in the broker now: no second one
    settings.OUTBOX_REQUEUE_AFTER_S = 600
    OutboxJob.objects.filter(pk=queued.pk).update(
        queued_at=timezone.now() - dt.timedelta(seconds=601)
    )  # a copy lost with the broker's data
    assert outbox.relay() == 1
    assert published[-1] == ([queued.pk], "default")
    assert later.pk not in [i for ids, _q in published for i in ids]
    assert calls == []


def test_jobs_go_to_the_queue_their_kind_names(monkeypatch):
    published: list[tuple[list[int], str]] = []
    monkeypatch.setattr(outbox, "_publish", lambda ids, queue: published.append((ids, queue)))
    with transaction.atomic():
        mail = outbox.enqueue("test.record", {})
        reply = outbox.enqueue("test.notify", {})
    assert sorted(published) == [([mail.pk], "default"), ([reply.pk], "notify")]
    assert outbox.queue_of("citizen_status") == outbox.queue_of("intake_reply") == "notify"
    assert outbox.queue_of("staff_mail") == outbox.queue_of("intake_message") == "default"


def test_the_notify_tasks_are_routed_to_the_notify_queue_and_the_others_to_default():
    from config.celery import app as celery_app

    def queue(task) -> str:
        return celery_app.amqp.router.route({}, task.name)["queue"].name

    assert queue(outbox.outbox_notify_run) == queue(outbox.outbox_notify_run_many) == "notify"
    assert queue(outbox.outbox_run) == queue(outbox.outbox_run_many) == "default"


def test_an_outcome_recorded_after_the_lease_ran_out_does_not_overwrite_the_next_attempt():
    job = OutboxJob.objects.create(kind="test.record", payload={})
    first = outbox._claim(job.pk)
    _make_due(job.pk)  # its worker took longer than the lease: another one claims it
    second = outbox._claim(job.pk)
    assert second.attempts == first.attempts + 1
    outbox._record(first, status="failed", last_error="late")
    job.refresh_from_db()
    assert job.status == "pending" and job.last_error == ""
    outbox._record(second, status="done")
    assert OutboxJob.objects.get(pk=job.pk).status == "done"


def test_jobs_written_while_held_wait_for_the_relay():
    with outbox.held(), transaction.atomic():
        job = outbox.enqueue("test.record", {"n": 9})
        assert outbox.publish_many("test.topic", [({"case": 8}, "event-9")]) == 1
    assert calls == []  # nothing handed over after commit
    assert set(OutboxJob.objects.values_list("status", "queued_at")) == {("pending", None)}
    with transaction.atomic():
        outbox.enqueue("test.record", {"n": 10})  # held no more
    assert calls == [{"n": 10}]
    assert outbox.relay(inline=True) == 2
    assert OutboxJob.objects.get(pk=job.pk).status == "done" and len(calls) == 3
