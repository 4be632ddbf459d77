"""The deadline sweep: levels fire on the right Kazakh working day, once."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from casework import services
from casework.audit import chain_verify
from casework.deadlines import add_working_days
from casework.models import Case, CaseEvent, Escalation, OutboxJob
from casework.sweep import sweep_run

ALMATY = ZoneInfo("Asia/Almaty")
pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


def escalations(case) -> list[tuple[int, str]]:
    return [
        (e.payload["level"], e.created_at.astimezone(ALMATY).strftime("%a %d %b %H:%M"))
        for e in CaseEvent.objects.filter(case=case, action="escalate").order_by("seq")
    ]


def test_levels_fire_on_the_right_working_day_across_nauryz_and_a_weekend(world):
    # Thursday 19 March 2026: triage is due Friday 20 March 10:00. Then come the weekend and
    # Nauryz (21-25 March), so "one working day later" is Thursday 26 March.
    case = world.case(received_at=at(2026, 3, 19, 10, 0))
    assert case.stage_due_at == at(2026, 3, 20, 10, 0)
    assert sweep_run(now=at(2026, 3, 20, 9, 59)).fired == 0
    report = sweep_run(now=at(2026, 3, 20, 10, 0))
    assert report.fired == 1 and report.by_level == {1: 1}
    assert escalations(case) == [(1, "Fri 20 Mar 10:00")]
    assert Case.objects.get(pk=case.pk).escalation_level == 1
    # Saturday, Sunday and the Nauryz holidays are not working days: nothing more.
    for day in (21, 22, 23, 24, 25):
        assert sweep_run(now=at(2026, 3, day, 18, 0)).fired == 0
    assert sweep_run(now=at(2026, 3, 26, 9, 59)).fired == 0
    assert sweep_run(now=at(2026, 3, 26, 10, 0)).by_level == {2: 1}
    legal = add_working_days(at(2026, 3, 19, 10, 0), 15)
    assert case.due_at == legal
    assert sweep_run(now=legal - dt.timedelta(seconds=1)).fired == 0
    assert sweep_run(now=legal).by_level == {3: 1}
    assert [level for level, _when in escalations(case)] == [1, 2, 3]
    assert Case.objects.get(pk=case.pk).escalation_level == 3


def test_running_the_sweep_twice_escalates_nothing_twice(world):
    case = world.case(received_at=at(2026, 3, 2, 10, 0))
    moment = at(2026, 4, 30, 12, 0)  # everything is long overdue
    first = sweep_run(now=moment)
    assert first.by_level == {1: 1, 2: 1, 3: 1}
    assert sweep_run(now=moment).fired == 0
    assert sweep_run(now=moment + dt.timedelta(days=3)).fired == 0
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 3
    assert chain_verify().ok


def test_an_escalation_writes_event_history_and_queues_notices(world):
    case = world.case(received_at=at(2026, 3, 2, 10, 0))
    jobs_before = OutboxJob.objects.count()
    sweep_run(now=at(2026, 3, 3, 11, 0))
    event = CaseEvent.objects.get(case=case, action="escalate")
    assert event.role == "system" and event.actor is None
    assert event.from_state == event.to_state == "received"
    assert event.payload["level"] == 1 and event.payload["deadline"] == "stage"
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.event_seq == event.seq == 2
    last = fresh.history.order_by("-history_date", "-history_id").first()
    assert last.history_change_reason == "escalate" and last.escalation_level == 1
    row = Escalation.objects.get(case=case, level=1)
    assert row.fired_at is not None and row.event_id == event.pk
    assert OutboxJob.objects.count() > jobs_before
    assert OutboxJob.objects.filter(payload__event=event.pk, payload__action="escalate").exists()
    assert chain_verify().ok


def test_moving_on_reschedules_the_stage_but_keeps_the_answer_deadline(world):
    case = world.case(received_at=at(2026, 3, 2, 10, 0))
    sweep_run(now=at(2026, 3, 3, 11, 0))  # level 1 of triage fired
    with_clock = at(2026, 3, 3, 12, 0)
    from casework import clock

    with clock.frozen_at(with_clock):
        case = services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    pending = set(
        Escalation.objects.filter(case=case, fired_at__isnull=True).values_list(
            "level", "deadline_at"
        )
    )
    assert pending == {(1, case.stage_due_at), (2, case.stage_due_at), (3, case.due_at)}
    # The new stage gets its own reminder when its deadline passes.
    assert sweep_run(now=case.stage_due_at).by_level == {1: 1}
    assert Case.objects.get(pk=case.pk).escalation_level == 1


def test_an_extension_gives_the_new_answer_deadline_its_own_escalation(world):
    case = world.advance(world.case(received_at=at(2026, 3, 2, 10, 0)), "assigned")
    sweep_run(now=case.due_at)
    assert CaseEvent.objects.filter(case=case, action="escalate", payload__level=3).count() == 1
    from casework import clock

    with clock.frozen_at(case.due_at + dt.timedelta(hours=1)):
        case = services.case_extend_deadline(
            case,
            actor=world.officer,
            new_due_at=case.due_at + dt.timedelta(days=10),
            decision="Закуп материалов",
        )
    assert sweep_run(now=case.due_at - dt.timedelta(minutes=1)).by_level.get(3) is None
    assert sweep_run(now=case.due_at).by_level.get(3) == 1


def test_closed_cases_are_not_escalated(world):
    case = world.case(received_at=at(2026, 3, 2, 10, 0))
    services.case_reject(case, actor=world.clerk, reason_code="spam", reason="Реклама")
    assert not Escalation.objects.filter(case=case, fired_at__isnull=True).exists()
    assert sweep_run(now=at(2026, 6, 1, 10, 0)).fired == 0


def test_sweep_command_runs_once_and_refuses_a_bad_moment(world, capsys):
    world.case(received_at=at(2026, 3, 2, 10, 0))
    call_command("sweep_deadlines", "--at", "2026-03-03T12:00:00+05:00")
    assert "1 escalated" in capsys.readouterr().out
    with pytest.raises(CommandError, match="time zone"):
        call_command("sweep_deadlines", "--at", "2026-03-03 12:00")
    with pytest.raises(CommandError):
        call_command("sweep_deadlines", "--at", "yesterday")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_deadline_once(requires_postgres, world):
    cases = [world.case(received_at=at(2026, 3, 2, 10, 0)) for _ in range(20)]
    moment = at(2026, 4, 30, 12, 0)
    barrier = threading.Barrier(2)
    results = []
    errors: list[BaseException] = []

    def sweep():
        try:
            barrier.wait(timeout=30)
            results.append(sweep_run(now=moment, batch_size=7).fired)
        except BaseException as exc:  # reported in the test's thread, not lost in this one
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a sweep did not finish"
    assert not errors, errors
    assert len(results) == 2 and sum(results) == 60
    for case in cases:
        assert CaseEvent.objects.filter(case=case, action="escalate").count() == 3
    assert chain_verify().ok


@pytest.mark.postgres
def test_a_fired_escalation_cannot_be_changed_in_the_database(requires_postgres, world):
    from django.db import DatabaseError, transaction

    world.case(received_at=at(2026, 3, 2, 10, 0))
    sweep_run(now=at(2026, 3, 3, 11, 0))
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE casework_escalation SET fired_at = NULL WHERE level = 1")
