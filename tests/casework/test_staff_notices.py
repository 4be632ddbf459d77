"""Who may be told of a case in the application: never anyone outside their scope, never an
inactive account, and of a corruption report only the region's anti-corruption investigators;
each person once per key."""

import pytest

from casework.models import StaffNotice
from casework.staff_notices import (
    staff_notices_read_all,
    staff_notices_send,
    staff_notices_unread,
)

pytestmark = pytest.mark.django_db


def send(users, case, key="k1"):
    return staff_notices_send(users, kind="task_new", case=case, key=key, params={"task": 1})


def test_only_people_who_may_see_the_case_are_told(world):
    case = world.advance(world.case(), "assigned")
    everyone = list(world.users.values())
    told = send(everyone, case)
    names = {world.users[n].pk: n for n in world.users}
    assert sorted(names[pk] for pk in told) == [
        "clerk", "inspector", "investigator", "manager", "officer", "officer2",
    ]  # fmt: skip
    assert StaffNotice.objects.count() == 6
    # Out of scope: the other district's clerk, the other department, the other region, and a
    # contractor without a work order on the case.
    for name in ("clerk_a2", "officer_build", "inspector_a2", "investigator_b", "manager_b",
                 "contractor", "other_contractor"):  # fmt: skip
        assert not StaffNotice.objects.filter(recipient=world.users[name]).exists()


def test_an_inactive_account_is_not_told(world):
    case = world.case()
    world.clerk.is_active = False
    world.clerk.save()
    assert send([world.clerk], case) == []


def test_a_corruption_report_is_told_to_its_regions_investigators_only(world):
    report = world.case(category=world.corruption, title="Взятка")
    # The district's clerk and the region's manager see the district's cases, but who reported
    # corruption, and what, is for the investigators alone.
    told = send([world.clerk, world.manager, world.investigator, world.investigator_b], report)
    assert told == [world.investigator.pk]


def test_the_same_key_tells_each_person_once(world):
    case = world.case()
    send([world.clerk, world.clerk], case)
    send([world.clerk], case)
    assert StaffNotice.objects.filter(recipient=world.clerk).count() == 1
    send([world.clerk], case, key="k2")
    assert staff_notices_unread(world.clerk) == 2
    assert staff_notices_read_all(world.clerk) == 2
    assert staff_notices_unread(world.clerk) == 0


def test_an_unknown_kind_is_refused(world):
    with pytest.raises(ValueError):
        staff_notices_send([world.clerk], kind="nonsense", case=world.case(), key="k")
