"""The outbox under a real Celery worker on Redis and PostgreSQL: a citizen reply whose platform
keeps failing is retried after its back-off, one queued copy at a time, and staff e-mail goes out
between its attempts instead of waiting behind them. (Production runs a worker per queue, and the
reply runs on `notify`, staff e-mail on `default`: tests/casework/test_outbox.py checks the
routing.)"""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from celery.signals import task_prerun
from django.db import connection, transaction
from django.utils import timezone

from casework import outbox
from casework.models import OutboxJob
from intake.models import Conversation
from intake.normaliser import reply_queue
from tests.intake.conftest import channels, platforms  # noqa: F401
from tests.intake.platforms import WA_PHONE_NUMBER_ID
from tests.workflows.test_worker import celery_on, wait_for, with_email, worker

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SEND_PATH = f"/wa/v23.0/{WA_PHONE_NUMBER_ID}/messages"


class Beat:
    """Runs the outbox relay every 0.2 s, as beat does every minute."""

    def __init__(self) -> None:
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.errors: list[BaseException] = []

    def _run(self) -> None:
        try:
            while not self.stopped.wait(0.2):
                outbox.relay()
        except BaseException as exc:  # reported in the test's thread
            self.errors.append(exc)
        finally:
            connection.close()

    def __enter__(self) -> Beat:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(10)
        assert not self.errors, self.errors


@contextlib.contextmanager
def runs_of_notify_jobs():
    """Every job id a worker started a notify task for, once per queued copy it took."""
    started: list[int] = []

    def record(sender=None, args=None, **kwargs) -> None:
        if sender.name == outbox.outbox_notify_run.name:
            started.append(args[0])
        elif sender.name == outbox.outbox_notify_run_many.name:
            started.extend(args[0])

    task_prerun.connect(record, weak=False)
    try:
        yield started
    finally:
        task_prerun.disconnect(record)


def test_a_failing_reply_backs_off_one_copy_at_a_time_while_staff_mail_goes_out(
    requires_postgres,
    redis_url,
    smtp,
    channels,  # noqa: F811 (the fixture imported above)
    world,
    settings,
):
    settings.OUTBOX_RETRY_BASE_S = 0.5  # waits of 1 s, 2 s, 4 s after attempts 1, 2, 3
    with_email(world.clerk)
    conversation = Conversation.objects.create(
        channel="whatsapp",
        sender_key="77010000001",
        address={"to": "77010000001"},
        last_inbound_at=timezone.now(),
    )
    channels.state.failures[SEND_PATH] = 10_000  # the platform refuses every send
    seen: list[tuple[int, object]] = []

    def attempts() -> int:
        row = OutboxJob.objects.values("attempts", "last_attempt_at").get(kind="intake_reply")
        if row["attempts"] and (not seen or row["attempts"] != seen[-1][0]):
            seen.append((row["attempts"], row["last_attempt_at"]))
        return row["attempts"]

    with runs_of_notify_jobs() as started, celery_on(redis_url), worker(), Beat():
        with transaction.atomic():
            reply_queue(conversation, "Спасибо, ваша жалоба принята")
        wait_for(lambda: attempts() >= 1 and not _running(), what="the first attempt")
        world.case()  # a new task: its e-mail goes out while the reply keeps failing
        wait_for(lambda: smtp.to("clerk@example.kz"), what="the new-task e-mail")
        assert attempts() < 4
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and attempts() < 4:
            time.sleep(0.02)
        wait_for(lambda: not _running(), what="the fourth attempt to be recorded")

    reply = OutboxJob.objects.get(kind="intake_reply")
    assert [n for n, _at in seen] == [1, 2, 3, 4], seen  # none back to back
    for (n, at), (_next, next_at) in zip(seen, seen[1:], strict=False):
        assert next_at - at >= outbox.retry_delay(n), seen
    assert reply.status == "pending" and "HTTP 500" in reply.last_error
    # Each attempt ran from the one copy queued for it; no copy found the job not due.
    assert started.count(reply.pk) == reply.attempts == 4
    assert not channels.sent_to("whatsapp")


def _running() -> bool:
    """The reply is claimed and its outcome not yet recorded (still under its lease)."""
    reply = OutboxJob.objects.get(kind="intake_reply")
    return reply.available_at - reply.last_attempt_at >= outbox.CLAIM_LEASE
