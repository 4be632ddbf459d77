"""Scorecards recomputed independently, in Python, from the case events."""

import datetime as dt
from collections import defaultdict

import pytest
from django.utils import timezone

from casework import clock, deadlines, services
from casework.models import CaseEvent
from contractors.models import Contract, WarrantyClaim
from contractors.scorecards import contractor_scorecards, official_failed_signoffs
from contractors.services import work_order_issue, work_order_report_repair
from tests.factories import image_upload

NOW = None


def _photos():
    return {"before": [image_upload("b.jpg")], "after": [image_upload("a.png", "PNG")]}


class Story:
    """Drives cases through the services at chosen moments."""

    def __init__(self, world, base):
        self.world = world
        self.base = base

    def at(self, day: float):
        return clock.frozen_at(self.base + dt.timedelta(days=day))

    def case(self, day, *, district=None, point=("50.283900", "57.167000")):
        with self.at(day):
            return self.world.case(
                district=district,
                latitude=point[0],
                longitude=point[1],
                received_at=self.base + dt.timedelta(days=day),
            )

    def assign(self, case, day, department=None, clerk=None):
        with self.at(day):
            services.case_assign(
                case,
                actor=clerk or self.world.clerk,
                department=department or self.world.dep_a1,
            )

    def issue(self, case, day, *, contract=None, officer=None, due_days=5.0):
        with self.at(day):
            return work_order_issue(
                case,
                actor=officer or self.world.officer,
                contract=contract or self.world.contract,
                due_at=self.base + dt.timedelta(days=day + due_days),
            )

    def report(self, case, day, user=None):
        with self.at(day):
            work_order_report_repair(case, actor=user or self.world.contractor_user, **_photos())

    def verify(self, case, day, inspector=None):
        with self.at(day):
            services.case_verify(case, actor=inspector or self.world.inspector)

    def send_back(self, case, day, inspector=None):
        with self.at(day):
            services.case_return_for_rework(
                case, actor=inspector or self.world.inspector, reason="Края не обрезаны"
            )

    def reopen(self, case, day):
        with self.at(day):
            services.case_reopen(
                case, actor=self.world.clerk, reason="Яма снова", kind="citizen_dispute"
            )


def _recompute(start, end, now, *, district=None):
    """Contractor scores from the events alone."""
    orders = {}  # order id -> facts
    returned, reopened, claims = defaultdict(int), defaultdict(int), defaultdict(int)
    events = CaseEvent.objects.select_related("case").order_by("case_id", "seq")
    current = {}  # case -> order id
    for e in events:
        if district is not None and e.case.district_id != district:
            continue
        if e.action == "notify_contractor":
            previous = current.get(e.case_id)
            if previous is not None and not orders[previous]["verified"]:
                orders[previous]["superseded"] = True
            orders[e.payload["work_order"]] = {
                "contractor": e.payload["contractor"],
                "issued": e.created_at,
                "due": dt.datetime.fromisoformat(e.payload["due_at"]),
                "report": None,
                "done": False,
                "verified": False,
                "superseded": False,
            }
            current[e.case_id] = e.payload["work_order"]
        elif e.action == "report_repaired":
            order = orders[current[e.case_id]]
            order["report"], order["done"] = e.created_at, True
        elif e.action == "return_for_rework":
            order = orders[current[e.case_id]]
            order["done"] = False
            if start <= e.created_at < end:
                returned[order["contractor"]] += 1
        elif e.action == "verify":
            orders[current[e.case_id]]["verified"] = True
        elif e.action == "reopen" and e.from_state == "verified":
            if start <= e.created_at < end:
                reopened[orders[current[e.case_id]]["contractor"]] += 1
    for claim in WarrantyClaim.objects.select_related("original_case"):
        if district is not None and claim.original_case.district_id != district:
            continue
        if start <= claim.opened_at < end:
            # The claim's contractor is the one whose accepted order the events name.
            claims[orders[claim.original_order_id]["contractor"]] += 1
    totals = defaultdict(lambda: {"orders": 0, "on_time": 0, "late": 0, "late_days": 0})
    for order in orders.values():
        if order["superseded"] or not (start <= order["issued"] < end):
            continue
        t = totals[order["contractor"]]
        t["orders"] += 1
        if order["done"] and order["report"] <= order["due"]:
            t["on_time"] += 1
        elif order["done"]:
            t["late"] += 1
            t["late_days"] += deadlines.working_days_between(order["due"], order["report"])
        elif order["due"] < now:
            t["late"] += 1
            t["late_days"] += max(0, deadlines.working_days_between(order["due"], now))
    result = {}
    for contractor in set(totals) | set(returned) | set(reopened) | set(claims):
        t = totals[contractor]
        decided = t["on_time"] + t["late"]
        result[contractor] = (
            t["orders"],
            t["on_time"],
            round(t["on_time"] / decided, 4) if decided else None,
            round(t["late_days"] / t["late"], 2) if t["late"] else None,
            returned[contractor],
            reopened[contractor],
            claims[contractor],
        )
    return result


def _as_tuples(scores):
    return {
        s.contractor_id: (
            s.orders,
            s.on_time,
            s.on_time_rate,
            s.avg_working_days_late,
            s.returned_at_verification,
            s.reopened_after_verification,
            s.warranty_claims,
        )
        for s in scores
    }


@pytest.fixture
def story(world):
    now = timezone.now().replace(microsecond=0)
    base = now - dt.timedelta(days=40)
    s = Story(world, base)
    w = world
    # Before the period: an order issued on day 1, sent back inside the period (day 12).
    early = s.case(0)
    s.assign(early, 0.1)
    s.issue(early, 1, due_days=20)
    s.report(early, 11)
    s.send_back(early, 12)
    s.report(early, 13)
    s.verify(early, 14)
    # On time, verified.
    a = s.case(9)
    s.assign(a, 9.1)
    s.issue(a, 10)
    s.report(a, 12)
    s.verify(a, 13)
    # Late by several working days, returned once, verified, then reopened by the citizen.
    b = s.case(9, point=("50.290000", "57.190000"))
    s.assign(b, 9.1)
    s.issue(b, 10, due_days=2)
    s.report(b, 11)
    s.send_back(b, 11.5)
    s.report(b, 19)
    s.verify(b, 20)
    s.reopen(b, 25)
    # Still out and overdue.
    c = s.case(15, point=("50.300000", "57.200000"))
    s.assign(c, 15.1)
    s.issue(c, 16, due_days=3)
    # Another contractor, on time, and a warranty claim against the first one's repair of `a`.
    d = s.case(17, point=("50.310000", "57.210000"))
    s.assign(d, 17.1)
    s.issue(d, 18, contract=w.other_contract)
    s.report(d, 19, user=w.other_contractor_user)
    s.verify(d, 21)
    s.case(30, point=("50.283950", "57.167050"))  # ~7 m from `a`: warranty claim
    # In district A2, under its own contract and officials.
    a2_contract = Contract.objects.create(
        contractor=w.contractor,
        department=w.dep_a2,
        number="A2-001",
        signed_on=w.contract.signed_on,
        amount_kzt=1,
        starts_on=w.contract.starts_on,
        ends_on=w.contract.ends_on,
    )
    a2_contract.districts.set([w.a2])
    a2_contract.categories.set([w.pothole])
    officer_a2 = w.user("officer", name="officer_a2", department=w.dep_a2)
    e = s.case(20, district=w.a2, point=("49.903100", "57.335300"))
    s.assign(e, 20.1, department=w.dep_a2, clerk=w.clerk_a2)
    s.issue(e, 21, contract=a2_contract, officer=officer_a2, due_days=1)
    s.report(e, 26)
    s.verify(e, 27, inspector=w.inspector_a2)
    s.start, s.end, s.now = base + dt.timedelta(days=5), now + dt.timedelta(days=1), now
    return s


def test_contractor_scorecards_match_a_recount_from_the_events(world, story):
    expected = _recompute(story.start, story.end, timezone.now())
    scores = contractor_scorecards(story.start, story.end)
    assert _as_tuples(scores) == expected
    mine = _as_tuples(scores)[world.contractor.pk]
    # The story, in numbers: 4 orders (a, b, c, e), 1 on time, 1 returned in the period
    # (the early order's) plus b's, 1 reopened, 1 warranty claim.
    assert mine[0] == 4 and mine[1] == 1
    assert mine[4] == 2 and mine[5] == 1 and mine[6] == 1
    assert mine[3] is not None and mine[3] > 0
    assert _as_tuples(scores)[world.other_contractor.pk][:3] == (1, 1, 1.0)
    names = {s.contractor_id: (s.legal_name, s.bin) for s in scores}
    assert names[world.contractor.pk] == (world.contractor.legal_name, world.contractor.bin)


def test_scorecards_per_district_and_per_contractor(world, story):
    expected = _recompute(story.start, story.end, timezone.now(), district=world.a2.pk)
    assert _as_tuples(contractor_scorecards(story.start, story.end, district=world.a2)) == expected
    assert list(expected) == [world.contractor.pk]
    only = contractor_scorecards(story.start, story.end, contractor=world.other_contractor.pk)
    assert [s.contractor_id for s in only] == [world.other_contractor.pk]
    region_b = contractor_scorecards(story.start, story.end, region=world.region_b)
    assert region_b == []


def test_a_period_before_everything_is_empty(world, story):
    assert (
        contractor_scorecards(
            story.start - dt.timedelta(days=400), story.start - dt.timedelta(days=300)
        )
        == []
    )


def test_official_signoffs_match_a_recount_from_the_events(world, story):
    verifications = CaseEvent.objects.filter(
        action="verify", created_at__gte=story.start, created_at__lt=story.end
    )
    expected = defaultdict(lambda: [0, 0, set()])
    for v in verifications:
        later = CaseEvent.objects.filter(case_id=v.case_id, seq__gt=v.seq)
        failed = (
            later.filter(action="reopen").exists()
            or WarrantyClaim.objects.filter(
                original_case_id=v.case_id,
                verified_by_id=v.actor_id,
                repair_accepted_at=v.created_at,
            ).exists()
        )
        issuer = v.payload["work_order_issued_by"]
        for key in ((v.actor_id, "inspector"), (issuer, "officer")):
            expected[key][0] += 1
            if failed:
                expected[key][1] += 1
                expected[key][2].add(v.case_id)
    rows = official_failed_signoffs(story.start, story.end)
    got = {(r.user_id, r.role): [r.signoffs, r.failed, set(r.failed_case_ids)] for r in rows}
    assert got == {k: v for k, v in expected.items()}
    inspector = got[(world.inspector.pk, "inspector")]
    assert inspector[0] == 4 and inspector[1] == 2  # b reopened, a claimed under warranty
    assert rows[0].failed == max(r.failed for r in rows)
    a2_rows = official_failed_signoffs(story.start, story.end, district=world.a2)
    assert {(r.user_id, r.role) for r in a2_rows} == {
        (world.inspector_a2.pk, "inspector"),
        (world.users["officer_a2"].pk, "officer"),
    }
