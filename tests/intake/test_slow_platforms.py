"""Nothing slow under a lock: while a platform's API hangs (the local stand-in holds the call
open), no row the call is about stays locked, and staff go on changing the same case."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import translation

from casework import outbox, services
from casework.models import Case, OutboxJob
from casework.states import CaseState
from intake.models import Conversation, InboundMessage
from tests.intake.conftest import WA_SECRET, body_of, sign, wa_image, wa_location, wa_text
from tests.intake.platforms import WA_PHONE_NUMBER_ID, jpeg_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def post(payload: dict) -> None:
    body = body_of(payload)
    response = Client().post(
        "/intake/whatsapp/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign(body, WA_SECRET),
    )
    assert response.status_code == 200


class Background:
    """Runs `work` in a thread of its own (a worker process stand-in); re-raises its error."""

    def __init__(self, work, *args):
        self.result = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(work, *args), daemon=True)
        self.thread.start()

    def _run(self, work, *args):
        try:
            self.result = work(*args)
        except BaseException as exc:  # reported in the test's thread
            self.error = exc
        finally:
            connection.close()

    def join(self):
        self.thread.join(60)
        assert not self.thread.is_alive(), "the background work did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def not_locked(model, pk) -> bool:
    """True when the row can be locked at once (nobody holds it)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
        try:
            model.objects.select_for_update(nowait=True).get(pk=pk)
        except Exception:  # the database refuses: someone holds the row
            return False
    return True


@pytest.fixture
def hold_jobs(monkeypatch):
    """Call it, and jobs committed from then on are kept for the test to run, as a worker
    would, instead of running at once."""

    def hold() -> list[tuple[int, str]]:
        jobs: list[tuple[int, str]] = []
        monkeypatch.setattr(outbox, "dispatch", lambda job_id, kind: jobs.append((job_id, kind)))
        return jobs

    return hold


def whatsapp_case() -> Case:
    post(wa_text("wamid.h1", "Яма на дороге у школы"))
    post(wa_location("wamid.h2"))
    return Case.objects.get()


def test_a_notice_hanging_on_the_platform_holds_up_no_transition_of_its_case(
    requires_postgres, channels, world, hold_jobs
):
    case = whatsapp_case()
    hold_jobs()
    hang = channels.hang(f"/wa/v23.0/{WA_PHONE_NUMBER_ID}/messages")
    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    notice = OutboxJob.objects.get(kind="citizen_status", payload__action="assign")
    running = Background(outbox.job_run, notice.pk)
    assert hang.arrived.wait(10), "the notice never reached the platform"

    # The platform holds the call open: the job's row is free, and the case moves on.
    assert not_locked(OutboxJob, notice.pk)
    assert not_locked(Case, case.pk)
    services.case_reject(
        case, actor=world.officer, reason_code="no_violation", reason="The road is not ours."
    )
    assert not hang.ended.is_set()  # the transition completed while the platform still hung

    hang.release.set()
    assert running.join() == "done"
    assert Case.objects.get(pk=case.pk).state == CaseState.REJECTED
    with translation.override("ru"):
        assigned = str(CaseState.ASSIGNED.label)
    sent = channels.sent_to("whatsapp")[-1].body
    assert assigned in sent["text"]["body"]  # the notice tells of its own step, sent late


def test_a_photo_download_hanging_on_the_platform_holds_no_lock(
    requires_postgres, channels, world, hold_jobs
):
    case = whatsapp_case()
    held_jobs = hold_jobs()
    channels.state.wa_media["media-slow"] = (jpeg_bytes(), "image/jpeg")
    hang = channels.hang("/wa-cdn/media-slow")
    post(wa_image("wamid.h3", "media-slow", caption="Ещё фото"))
    job_id = next(job_id for job_id, kind in held_jobs if kind == "intake_message")
    message = InboundMessage.objects.get(external_id="wamid.h3")
    conversation = Conversation.objects.get()
    running = Background(outbox.job_run, job_id)
    assert hang.arrived.wait(10), "the download never reached the platform"

    assert not_locked(InboundMessage, message.pk)
    assert not_locked(Conversation, conversation.pk)
    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    assert not hang.ended.is_set()

    hang.release.set()
    assert running.join() == "done"
    message.refresh_from_db()
    assert message.processed_at is not None and message.error == ""
    assert message.draft.photos.count() == 1
