"""`manage.py relay_outbox` runs every due pending outbox job in its own process, once."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework import outbox
from casework.models import OutboxJob

pytestmark = pytest.mark.django_db

ran: list[int] = []


@outbox.handler("test.relay_command")
def _record(payload):
    ran.append(payload["n"])


@outbox.handler("test.relay_command_fails")
def _fail(payload):
    raise RuntimeError("smtp down")


@pytest.fixture(autouse=True)
def _nothing_ran():
    ran.clear()
    yield
    ran.clear()


def job(kind: str, n: int, *, due_in: dt.timedelta = dt.timedelta(seconds=-1), **fields):
    # Written directly: a job the broker never got (no dispatch after commit).
    return OutboxJob.objects.create(
        kind=kind, payload={"n": n}, available_at=timezone.now() + due_in, **fields
    )


def relay() -> str:
    out = io.StringIO()
    call_command("relay_outbox", stdout=out)
    return out.getvalue().strip()


def test_relay_outbox_runs_every_due_pending_job_once():
    due = [job("test.relay_command", n) for n in range(3)]
    later = job("test.relay_command", 98, due_in=dt.timedelta(hours=1))
    done = job("test.relay_command", 99, status=OutboxJob.Status.DONE)

    assert relay() == "3 pending job(s) run"
    assert sorted(ran) == [0, 1, 2]
    assert {j.status for j in OutboxJob.objects.filter(pk__in=[j.pk for j in due])} == {"done"}
    assert OutboxJob.objects.get(pk=later.pk).status == "pending"
    assert OutboxJob.objects.get(pk=done.pk).attempts == 0

    assert relay() == "0 pending job(s) run"
    assert sorted(ran) == [0, 1, 2]


def test_relay_outbox_keeps_a_failing_job_for_later_with_its_error():
    failing = job("test.relay_command_fails", 1)
    fine = job("test.relay_command", 2)

    assert relay() == "2 pending job(s) run"

    failing.refresh_from_db()
    assert failing.status == "pending" and failing.attempts == 1
    assert failing.last_error == "RuntimeError: smtp down"
    assert failing.available_at > timezone.now()
    assert OutboxJob.objects.get(pk=fine.pk).status == "done" and ran == [2]
    assert relay() == "0 pending job(s) run"  # not due again yet
