"""The queue's order says how serious a hit is: a failed acceptance, with money paid for it,
outranks every warning about the photos of the same repair, on the score alone (the money at
stake is the same act's, so it cannot decide)."""

import datetime as dt

import pytest

from contractors.selectors import current_work_order
from contractors.services import work_order_report_repair
from oversight.red_flags import accepted_work_failed, photo_evidence
from oversight.red_flags.queue import red_flag_queue
from oversight.services import act_sign
from tests.contractors.photos import photo
from tests.oversight.conftest import deliver_all
from tests.oversight.red_flag_helpers import hits, settled

pytestmark = pytest.mark.django_db

LAT, LON = 50.2839, 57.167
PER_METRE = 1 / 111_319.5


def test_the_strongest_photo_warning_scores_below_a_failed_act():
    strongest = sorted(photo_evidence.WEIGHTS.values(), reverse=True)
    everything = strongest[0] + 5 * (len(strongest) - 1)
    assert min(photo_evidence.MAX_SCORE, everything) < accepted_work_failed.ACT_SCORE


def test_a_failed_act_heads_the_queue_above_its_own_photo_warnings(world, posts):
    case = world.advance(world.case(), "contractor_notified")
    order = current_work_order(case)
    far = LAT + 3000 * PER_METRE
    # Both photos taken before the order and far from the site: the photo hit's strongest case.
    work_order_report_repair(
        case,
        actor=world.contractor_user,
        before=[photo(1, taken_at=order.issued_at - dt.timedelta(days=7), lat=far, lon=LON)],
        after=[photo(2, taken_at=order.issued_at - dt.timedelta(days=6), lat=far, lon=LON)],
    )
    act = act_sign(case, actor=world.inspector, quantity="2.5", unit="m2", amount_kzt="49500")
    deliver_all()
    world.case(latitude=f"{LAT + 10 * PER_METRE:.6f}", longitude=f"{LON:.6f}")
    settled()
    failed = hits("accepted_work_failed")[f"accepted_work_failed:act:{act.pk}"]
    warning = hits("photo_evidence")[f"photo_evidence:case:{case.pk}"]
    assert set(warning.details["reasons"]) >= {"taken_before_order", "far_from_site"}
    assert failed.money_kzt == warning.money_kzt == act.amount_kzt
    assert failed.score > warning.score
    queue = list(red_flag_queue(world.investigator))
    assert queue.index(failed) < queue.index(warning)
    assert queue[0] == failed
