"""The nightly full pass finds exactly the hits found as events happened; `red_flags --check`
names every difference; dismissing needs a reason, is audited, and new evidence reopens the hit;
the queue shows investigators their region's hits, ranked by score then money."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from casework import clock, services
from casework.models import OutboxJob
from oversight.models import RedFlagDecision, RedFlagHit
from oversight.red_flags.run import red_flags_check, red_flags_full_pass
from oversight.selectors import hits_of_contractor, hits_of_person, red_flag_queue
from oversight.services import act_correct, red_flag_dismiss
from tests.oversight.conftest import accepted, deliver_all
from tests.oversight.red_flag_helpers import hits

pytestmark = pytest.mark.django_db

LAT, LON = 50.2839, 57.167
PER_METRE = 1 / 111_319.5


def at(metres: float) -> dict:
    return {"latitude": f"{LAT + metres * PER_METRE:.6f}", "longitude": f"{LON:.6f}"}


def _twice_extended(world, case=None):
    case = case or world.advance(world.case(**at(5000)), "assigned")
    for _ in range(2):
        case.refresh_from_db()
        services.case_extend_deadline(
            case,
            actor=world.officer,
            new_due_at=case.due_at + dt.timedelta(days=1),
            decision="Нужна экспертиза покрытия",
        )
    deliver_all()
    return case, hits("deadline_extended_twice")[f"deadline_extended_twice:case:{case.pk}"]


def _scenario(world):
    """Several indicators fire, each through the outbox job of its event."""
    _case, act = accepted(world, **at(0))
    deliver_all()
    world.case(**at(10))  # accepted work failed
    rejected = world.advance(world.case(**at(900)), "rejected")
    services.case_reopen(rejected, actor=world.clerk, reason="Обжалование", kind="appeal")
    _twice_extended(world)
    deliver_all()
    return act


def test_the_full_pass_finds_exactly_the_hits_found_as_events_happened(world, posts):
    _scenario(world)
    live = {h.key: (h.score, h.money_kzt, h.evidence_keys) for h in RedFlagHit.objects.all()}
    assert {h.indicator for h in RedFlagHit.objects.all()} >= {
        "accepted_work_failed",
        "rubber_stamp",
        "rejected_then_reopened",
        "deadline_extended_twice",
    }
    assert red_flags_check() == []
    counts = red_flags_full_pass()
    assert sum(counts.values()) == len(live)
    after = {h.key: (h.score, h.money_kzt, h.evidence_keys) for h in RedFlagHit.objects.all()}
    assert after == live
    assert not RedFlagDecision.objects.exists()


def test_the_full_pass_finds_hits_whose_jobs_never_ran(world, posts):
    case = world.advance(world.case(), "rejected")
    OutboxJob.objects.filter(kind="oversight_case_event").update(status="done")
    services.case_reopen(case, actor=world.clerk, reason="Обжалование", kind="appeal")
    OutboxJob.objects.filter(kind="oversight_case_event").update(status="done")
    assert hits("rejected_then_reopened") == {}
    assert red_flags_check() == [f"missing: rejected_then_reopened:case:{case.pk}"]
    out = StringIO()
    call_command("red_flags", "--full", stdout=out)
    assert "rejected_then_reopened" in out.getvalue()
    assert set(hits("rejected_then_reopened")) == {f"rejected_then_reopened:case:{case.pk}"}
    assert red_flags_check() == []


def test_check_exits_non_zero_naming_a_deleted_or_altered_hit(world, posts):
    _scenario(world)
    call_command("red_flags", "--check", stdout=StringIO())
    deleted = RedFlagHit.objects.filter(indicator="rejected_then_reopened").get()
    deleted.delete()
    altered = RedFlagHit.objects.filter(indicator="deadline_extended_twice").get()
    RedFlagHit.objects.filter(pk=altered.pk).update(score=1)
    with pytest.raises(CommandError) as refused:
        call_command("red_flags", "--check", stdout=StringIO())
    message = str(refused.value)
    assert f"missing: {deleted.key}" in message and f"differs: {altered.key}" in message
    # --check changed nothing.
    assert not RedFlagHit.objects.filter(key=deleted.key).exists()
    assert RedFlagHit.objects.get(pk=altered.pk).score == 1


def test_a_hit_no_longer_found_is_resolved_not_deleted(world, posts):
    case, hit = _twice_extended(world)
    # A stored hit that no indicator finds (its key forged): the full pass resolves it.
    RedFlagHit.objects.filter(pk=hit.pk).update(key=hit.key + ":gone")
    red_flags_full_pass(["deadline_extended_twice"])
    gone = RedFlagHit.objects.get(pk=hit.pk)
    assert gone.status == RedFlagHit.Status.RESOLVED
    assert gone.decisions.get().action == RedFlagDecision.Action.RESOLVED
    assert red_flags_check() == []


# Dismissal -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_dismissing_needs_a_reason(world, posts, reason):
    _case, hit = _twice_extended(world)
    with pytest.raises(ValidationError) as refused:
        red_flag_dismiss(hit, world.investigator, reason)
    assert "reason" in refused.value.message_dict
    hit.refresh_from_db()
    assert hit.status == RedFlagHit.Status.OPEN and not hit.decisions.exists()


def test_dismissing_is_audited_and_new_evidence_reopens_the_hit(world, posts):
    case, hit = _twice_extended(world)
    red_flag_dismiss(hit, world.investigator, "Обе экспертизы заказаны законно")
    hit.refresh_from_db()
    assert hit.status == RedFlagHit.Status.DISMISSED and hit.dismissed_by == world.investigator
    decision = hit.decisions.get()
    assert (decision.action, decision.decided_by, decision.reason) == (
        "dismissed",
        world.investigator,
        "Обе экспертизы заказаны законно",
    )
    # The same evidence found again (the nightly pass) leaves it dismissed.
    red_flags_full_pass()
    hit.refresh_from_db()
    assert hit.status == RedFlagHit.Status.DISMISSED
    # A third extension is new evidence: the hit is back in the queue.
    case.refresh_from_db()
    services.case_extend_deadline(
        case,
        actor=world.officer,
        new_due_at=case.due_at + dt.timedelta(days=1),
        decision="Ещё одна экспертиза",
    )
    deliver_all()
    hit.refresh_from_db()
    assert hit.status == RedFlagHit.Status.OPEN and len(hit.evidence) == 3
    assert [d.action for d in hit.decisions.order_by("id")] == ["dismissed", "reopened"]
    assert red_flags_check() == []


def test_only_the_regions_investigators_may_dismiss(world, posts):
    _case, hit = _twice_extended(world)
    for user in (world.investigator_b, world.manager, world.officer):
        with pytest.raises(PermissionDenied):
            red_flag_dismiss(hit, user, "Не нарушение")
    hit.refresh_from_db()
    assert hit.status == RedFlagHit.Status.OPEN


def test_decisions_are_append_only_even_in_raw_sql(world, posts, requires_postgres):
    _case, hit = _twice_extended(world)
    red_flag_dismiss(hit, world.investigator, "Проверено: законно")
    decision = hit.decisions.get()
    with pytest.raises(PermissionError):
        RedFlagDecision.objects.filter(pk=decision.pk).update(reason="")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE oversight_redflagdecision SET reason = '' WHERE id = %s", [decision.pk]
        )


# The queue -----------------------------------------------------------------------------------


def test_the_queue_is_the_regions_hits_ranked_by_score_then_money(world, posts):
    act = _scenario(world)
    queue = list(red_flag_queue(world.investigator))
    assert queue and all(h.region_id == world.region_a.pk for h in queue)
    ranked = sorted(queue, key=lambda h: (-h.score, -h.money_kzt, -h.pk))
    assert queue == ranked
    assert queue[0].indicator == "accepted_work_failed" and queue[0].subject_id == act.pk
    for outsider in (world.investigator_b, world.manager, world.inspector, world.clerk):
        assert list(red_flag_queue(outsider)) == []


def test_the_queue_filters(world, posts):
    act = _scenario(world)
    only = red_flag_queue(world.investigator, {"indicator": "rubber_stamp"})
    assert {h.indicator for h in only} == {"rubber_stamp"}
    rich = red_flag_queue(world.investigator, {"min_money": str(act.amount_kzt)})
    assert rich and all(h.money_kzt >= act.amount_kzt for h in rich)
    assert not red_flag_queue(world.investigator, {"district": world.a2.pk})
    assert red_flag_queue(world.investigator, {"person": posts.inspector.pk})
    today = clock.now().date()
    assert not red_flag_queue(world.investigator, {"since": today + dt.timedelta(days=2)})
    assert red_flag_queue(world.investigator, {"until": today + dt.timedelta(days=2)})
    with pytest.raises(ValidationError):
        red_flag_queue(world.investigator, {"since": "yesterday"})
    # The official's and the contractor's pages: every status, still only the reader's region.
    hit = RedFlagHit.objects.get(indicator="rubber_stamp")
    red_flag_dismiss(hit, world.investigator, "Проверено на месте")
    assert hit in hits_of_person(world.investigator, posts.inspector.pk)
    assert hit in hits_of_contractor(world.investigator, world.contractor.pk)
    assert not hits_of_person(world.investigator_b, posts.inspector.pk)


def test_a_corrected_act_moves_the_money_of_the_hits_on_its_case(world, posts):
    case, act = accepted(world)
    deliver_all()
    assert hits("photo_evidence")[f"photo_evidence:case:{case.pk}"].money_kzt == act.amount_kzt
    act_correct(act, actor=world.inspector, reason="Площадь пересчитана", amount_kzt="40000")
    deliver_all()
    hit = hits("photo_evidence")[f"photo_evidence:case:{case.pk}"]
    assert hit.money_kzt == 40000
    assert red_flags_check() == []
