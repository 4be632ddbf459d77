"""Every decision on a case is attributed to the person and the post held at that moment."""

import datetime as dt

import pytest

from casework import clock, services
from casework.models import OutboxJob
from casework.states import CaseState
from oversight.attribution import attributions_backfill
from oversight.models import DecisionAttribution, Position
from oversight.selectors import post_held
from oversight.services import occupancy_end
from tests.oversight.conftest import accepted, appoint, deliver_all, post

pytestmark = pytest.mark.django_db


def test_each_decision_is_attributed_to_the_person_and_post_of_the_day(world, posts):
    case, _act = accepted(world)
    deliver_all()
    made = {a.action: a for a in DecisionAttribution.objects.filter(case=case)}
    assert set(made) == {"assign", "notify_contractor", "verify"}
    assert made["verify"].person == posts.inspector
    assert made["verify"].occupancy == posts.inspector_job
    assert made["verify"].position == posts.inspector_post
    assert made["notify_contractor"].position == posts.head_post
    # The clerk has no person yet: one is made from the user, with no post on record.
    assert made["assign"].person.user == world.clerk and made["assign"].occupancy is None
    # Running the jobs again changes nothing.
    assert deliver_all() == 0
    assert DecisionAttribution.objects.filter(case=case).count() == 3


def test_an_attribution_survives_a_move_to_another_post(world, posts):
    case, _act = accepted(world)
    deliver_all()
    before = DecisionAttribution.objects.get(case=case, action="verify")
    # The inspector is promoted: the old post ends, a new one starts the next day.
    today = clock.now().date()
    occupancy_end(posts.inspector_job, ended_on=today)
    chief = post(Position.Kind.DEPARTMENT_HEAD, title="Chief inspector", department=world.dep_a1)
    appoint(posts.inspector, chief, today + dt.timedelta(days=1), order_number="88-к")
    later = world.advance(world.case(), CaseState.REPAIRED)
    with clock.frozen_at(clock.now() + dt.timedelta(days=2)):
        services.case_verify(later, actor=world.inspector)
    deliver_all()
    after = DecisionAttribution.objects.get(case=later, action="verify")
    assert after.position == chief
    kept = DecisionAttribution.objects.get(pk=before.pk)
    assert kept.position == posts.inspector_post and kept.occupancy == posts.inspector_job


def test_post_held_follows_the_day_and_prefers_the_post_of_the_role(world, posts):
    today = clock.now().date()
    assert post_held(world.inspector, clock.now()).position == posts.inspector_post
    assert post_held(world.inspector, today - dt.timedelta(days=500)) is None
    # Holding two posts at once: the decision taken as inspector goes to the inspector's post.
    deputy = post(Position.Kind.DEPUTY_AKIM, title="Deputy akim", district=world.a1)
    appoint(posts.inspector, deputy, today)
    assert post_held(world.inspector, today, role="inspector").position == posts.inspector_post
    assert post_held(world.inspector, today).position == deputy
    assert post_held(world.clerk, today) is None


def test_backfill_attributes_old_events_exactly_as_the_handler_does(world, posts):
    live, _act = accepted(world)
    deliver_all()
    # Events from before the handler existed: their attribution jobs never ran.
    old, _old_act = accepted(world)
    services.case_reopen(old, actor=world.officer, reason="Ямы вернулись", kind="warranty_defect")
    OutboxJob.objects.filter(kind="oversight_case_event", status="pending").update(status="done")
    deliver_all()
    assert not DecisionAttribution.objects.filter(case=old).exists()
    assert attributions_backfill() == 4
    assert attributions_backfill() == 0

    def shape(case):
        return {
            (a.action, a.person_id, a.position_id)
            for a in DecisionAttribution.objects.filter(case=case)
            if a.action != "reopen"
        }

    assert shape(old) == shape(live) and len(shape(live)) == 3
    reopen = DecisionAttribution.objects.get(case=old, action="reopen")
    assert reopen.person == posts.head and reopen.position == posts.head_post


def test_the_backfill_command_adds_what_is_missing_and_nothing_twice(world, posts):
    from io import StringIO

    from django.core.management import call_command

    case, _act = accepted(world)
    OutboxJob.objects.filter(status="pending").update(status="done")
    out = StringIO()
    call_command("oversight_backfill", stdout=out)
    assert "attributions added: 3" in out.getvalue()
    assert DecisionAttribution.objects.filter(case=case).count() == 3
    call_command("oversight_backfill", stdout=out)
    assert "attributions added: 0" in out.getvalue()
