"""What the red-flag checks after accepting a repair cost: a few queries, whatever the size of the
database (bench/red_flags.py measures their time against the acceptance's own)."""

import pytest

from casework.models import CaseEvent
from oversight.red_flags.run import red_flags_check, red_flags_for_event
from tests.oversight.conftest import accepted

pytestmark = pytest.mark.django_db

# One job (the `verify` event's; the `act_signed` one checks nothing): the case's photos with a
# finding or reused from another case and its acts in force, its act measured for a rubber
# stamp, then for both indicators together one read and one write of their hits and, for hits
# new or with new figures, one write of their dated figures (so that a closed month keeps them).
MAX_QUERIES = 5


def test_the_checks_after_an_acceptance_take_a_few_queries(
    world, posts, django_assert_max_num_queries
):
    case, act = accepted(world)
    events = CaseEvent.objects.select_related("case").filter(
        case=case, action__in=("verify", "act_signed")
    )
    events = list(events.order_by("seq"))
    with django_assert_max_num_queries(MAX_QUERIES):
        found = [red_flags_for_event(event) for event in events]
    assert found == [{"photo_evidence": 1, "rubber_stamp": 1}, {}]
    assert red_flags_check(["photo_evidence", "rubber_stamp"]) == []
