"""Staff e-mail and citizen messages, sent through Django's SMTP backend to a real SMTP server on
127.0.0.1; each one exactly once, however often the jobs are run."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from casework import clock, outbox, services
from casework.models import OutboxJob
from casework.states import CaseState
from casework.sweep import sweep_run
from oversight.models import Occupancy, Person, Position
from tests.workflows.conftest import deliver_all
from workflows import services as workflow_services
from workflows.models import StaffPreference
from workflows.notifications import digest_queue
from workflows.queues import active_task_of

ALMATY = ZoneInfo("Asia/Almaty")
pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


def with_email(*users):
    for user in users:
        user.email = f"{user.username}@example.kz"
        user.save(update_fields=["email"])


def test_a_new_task_is_mailed_once_to_everyone_in_its_queue(world, smtp):
    colleague = world.user("clerk", name="clerk_b", district=world.a1)
    with_email(world.clerk, colleague, world.clerk_a2)
    case = world.case()
    deliver_all()
    assert sorted(r for rcpt, _m in smtp.messages for r in rcpt) == [
        "clerk@example.kz",
        "clerk_b@example.kz",
    ]
    message = smtp.to("clerk@example.kz")[0]
    assert case.tracking_code in str(message["Subject"])
    task = active_task_of(case)
    assert f"/staff/tasks/{task.pk}/" in message.get_content()
    # Running everything again, or one job twice, mails nobody twice.
    assert deliver_all() == 0
    for job in OutboxJob.objects.all():
        assert outbox.job_run(job.pk).startswith("already-")
    assert len(smtp.messages) == 2


def test_staff_mail_speaks_the_language_the_person_uses(world, smtp):
    colleague = world.user("clerk", name="clerk_kk", district=world.a1)
    with_email(world.clerk, colleague)
    StaffPreference.objects.create(user=world.clerk, language="ru")
    StaffPreference.objects.create(user=colleague, language="kk")
    world.case()
    deliver_all()
    russian = str(smtp.to("clerk@example.kz")[0]["Subject"]).strip()
    kazakh = str(smtp.to("clerk_kk@example.kz")[0]["Subject"]).strip()
    assert russian.startswith("Новая задача")
    assert kazakh.startswith("Жаңа тапсырма")


def test_a_task_taken_before_its_notice_goes_out_is_not_announced(world, smtp):
    with_email(world.clerk)
    case = world.case()
    workflow_services.task_claim(active_task_of(case).pk, actor=world.clerk)
    deliver_all()
    assert smtp.messages == []


def test_escalation_levels_reach_the_assignee_then_management_then_investigators(world, smtp):
    with_email(world.officer, world.officer2, world.investigator, world.investigator_b)
    # The head and the akim in post (oversight's occupancies); a former head hears nothing.
    head_post = Position.objects.create(
        kind="department_head", title_kk="Басшы", title_ru="Руководитель", title_en="Head",
        department=world.dep_a1,
    )  # fmt: skip
    former = Person.objects.create(full_name="Бұрынғы Басшы", email="former@example.kz")
    Occupancy.objects.create(
        person=former, position=head_post, started_on=dt.date(2024, 1, 1),
        ended_on=dt.date(2025, 12, 31),
    )  # fmt: skip
    head = Person.objects.create(full_name="Омаров Асхат", email="head@example.kz")
    Occupancy.objects.create(person=head, position=head_post, started_on=dt.date(2026, 1, 1))
    world.dep_a1.email = "roads@example.kz"
    world.dep_a1.save()
    world.a1.akim_office_email = "akimat@example.kz"
    world.a1.save()
    with clock.frozen_at(at(2026, 3, 2, 10, 0)):
        case = world.advance(world.case(), "assigned")
    workflow_services.task_claim(active_task_of(case).pk, actor=world.officer)
    deliver_all()
    before = len(smtp.messages)
    sweep_run(now=case.stage_due_at)
    deliver_all()
    reminders = smtp.messages[before:]
    assert [rcpt for rcpt, _m in reminders] == [["officer@example.kz"]]
    assert "1" in str(reminders[0][1]["Subject"]) and case.tracking_code in str(
        reminders[0][1]["Subject"]
    )
    sweep_run(now=at(2026, 4, 30, 10, 0))  # level 2 and the legal deadline (level 3)
    deliver_all()
    later = {r for rcpt, _m in smtp.messages[before + 1 :] for r in rcpt}
    assert later == {"head@example.kz", "roads@example.kz", "akimat@example.kz",
                     "investigator@example.kz"}  # fmt: skip
    assert smtp.to("investigator_b@example.kz") == []
    count = len(smtp.messages)
    sweep_run(now=at(2026, 5, 30, 10, 0))
    deliver_all()
    assert len(smtp.messages) == count


def test_the_daily_digest_lists_overdue_tasks_once_a_day(world, smtp):
    with_email(world.clerk, world.officer)
    with clock.frozen_at(at(2026, 3, 2, 10, 0)):
        held = world.case()
        waiting = world.case()
    workflow_services.task_claim(active_task_of(held).pk, actor=world.clerk)
    deliver_all()
    smtp_before = len(smtp.messages)
    morning = at(2026, 3, 10, 8, 30)
    with clock.frozen_at(morning):
        assert digest_queue() == 1  # the clerk; the officer has nothing overdue
        assert digest_queue() == 0  # the same day again: already queued
        deliver_all()
    digests = smtp.messages[smtp_before:]
    assert len(digests) == 1 and digests[0][0] == ["clerk@example.kz"]
    body = digests[0][1].get_content()
    assert held.tracking_code in body and waiting.tracking_code in body
    with clock.frozen_at(morning + dt.timedelta(days=1)):
        assert digest_queue() == 1


def test_the_citizen_hears_of_each_change_of_state_on_their_channel(world, smtp):
    case = world.case(
        channel="web", complainant={"name": "Айгүл", "email": "aigul@example.kz", "language": "kk"}
    )
    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    services.case_assign(case, actor=world.officer, department=world.dep_a1_build, reason="Не наш")
    deliver_all()
    citizen = smtp.to("aigul@example.kz")
    # The receipt of the complaint, then the assignment: the redirect between departments is
    # not news.
    assert len(citizen) == 2
    body = citizen[1].get_content()
    assert case.tracking_code in body and f"/track/{case.tracking_code}/" in body


def test_a_refused_smtp_delivery_waits_and_is_sent_once_later(world, smtp):
    with_email(world.clerk)
    smtp.stop()
    world.case()
    deliver_all()
    mail_job = OutboxJob.objects.get(kind="staff_mail")
    assert mail_job.status == "pending" and mail_job.attempts == 1 and mail_job.last_error
    smtp.start()
    OutboxJob.objects.filter(pk=mail_job.pk).update(available_at=clock.now())
    deliver_all()
    deliver_all()
    assert len(smtp.to("clerk@example.kz")) == 1


def test_a_status_notice_sent_late_names_the_state_of_its_own_event(world, smtp):
    case = world.case(
        channel="web", complainant={"name": "Айгүл", "email": "aigul@example.kz", "language": "en"}
    )
    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    # The case moves on before the first notice goes out (a retry, a queue behind).
    services.case_reject(
        case, actor=world.officer, reason_code="no_violation", reason="The road is not ours."
    )
    deliver_all()
    mails = [m.get_content() for m in smtp.to("aigul@example.kz")]
    # The closing also asks the citizen to score the outcome (ratings): not a status notice.
    bodies = [body for body in mails if "/ratings/vote/" not in body]
    assert len(mails) - len(bodies) == 1
    assert len(bodies) == 3  # the receipt of the complaint, and a notice for each step
    with translation.override("en"):
        assigned, rejected = str(CaseState.ASSIGNED.label), str(CaseState.REJECTED.label)
    assert sum(assigned in body for body in bodies) == 1
    assert sum(rejected in body for body in bodies) == 1
