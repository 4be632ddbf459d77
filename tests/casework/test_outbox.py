import pytest
from django.db import transaction

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

    monkeypatch.setattr(outbox.outbox_run, "delay", broker_down)
    with transaction.atomic():
        job = outbox.enqueue("test.record", {"n": 4})
    assert OutboxJob.objects.get(pk=job.pk).status == "pending" and calls == []
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

    def capture(job_ids):
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
