"""A month of cases (March 2025, with Nauryz in it) that raises every red flag, made through the
real services; and the report's figures recomputed from the events in plain Python."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from django.db import transaction

from casework import clock, services
from casework.audit import event_append
from casework.deadlines import add_working_days, answer_due, working_days_between
from casework.models import Case, CaseEvent
from contractors.services import work_order_issue
from tests.factories import World, image_upload

ALMATY = ZoneInfo("Asia/Almaty")
MONTH = dt.date(2025, 3, 1)
START = dt.datetime(2025, 3, 1, tzinfo=ALMATY)
END = dt.datetime(2025, 4, 1, tzinfo=ALMATY)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=ALMATY)


class MonthWorld:
    def __init__(self, world: World):
        self.w = world
        self.contract = world._contract(
            "T-2025", world.contractor, world.dep_a1, world.a1, dt.date(2025, 3, 1)
        )
        self.contract_a2 = world._contract(
            "T-2025-A2", world.contractor, world.dep_a2, world.a2, dt.date(2025, 3, 1)
        )
        self.officer_a2 = world.user("officer", name="officer_a2", department=world.dep_a2)
        self.inspector_a2b = world.user("inspector", name="inspector_a2b", department=world.dep_a2)
        self.clerk_b1 = world.user("clerk", name="clerk_b1", district=world.b1)
        self._colour = 10
        self.codes: dict[str, str] = {}

    # -- moves, each at a given moment ---------------------------------------------------------

    def open(self, name: str, when: dt.datetime, district=None, **kw) -> Case:
        case = self.w.case(district=district, received_at=when, **kw)
        self.codes[name] = case.tracking_code
        return case

    def assign(self, case, when, department=None, actor=None, reason=""):
        with clock.frozen_at(when):
            return services.case_assign(
                case,
                actor=actor or self.w.clerk,
                department=department or self.w.dep_a1,
                reason=reason,
            )

    def order(self, case, when, due_at=None, actor=None, contract=None):
        with clock.frozen_at(when):
            return work_order_issue(
                case,
                actor=actor or self.w.officer,
                contract=contract or self.contract,
                due_at=due_at,
            )

    def photo(self, colour=None):
        if colour is None:
            self._colour += 7
            colour = (self._colour % 250, 90, 200 - self._colour % 200)
        return image_upload("p.jpg", color=colour)

    def repair(self, case, when, before=None, after=None):
        with clock.frozen_at(when):
            return services.case_report_repaired(
                case,
                actor=self.w.contractor_user,
                before=[before or self.photo()],
                after=[after or self.photo()],
            )

    def verify(self, case, when, actor=None):
        with clock.frozen_at(when):
            return services.case_verify(case, actor=actor or self.w.inspector)

    def rework(self, case, when):
        with clock.frozen_at(when):
            return services.case_return_for_rework(
                case, actor=self.w.inspector, reason="Швы не заделаны."
            )

    def reject(self, case, when, code, actor=None):
        with clock.frozen_at(when):
            return services.case_reject(
                case, actor=actor or self.w.clerk, reason_code=code, reason="Отказ по существу."
            )

    def reopen(self, case, when):
        with clock.frozen_at(when):
            return services.case_reopen(
                case, actor=self.w.clerk, kind="citizen_dispute", reason="Яма снова появилась."
            )

    def extend(self, case, when, new_due):
        with clock.frozen_at(when):
            return services.case_extend_deadline(
                case, actor=self.w.officer, new_due_at=new_due, decision="Нужна экспертиза."
            )

    def escalate(self, case, when, level):
        """What the deadline sweep (workflows) writes: one event per escalation."""
        with transaction.atomic(), clock.frozen_at(when):
            locked = Case.objects.select_for_update().get(pk=case.pk)
            event_append(
                locked,
                actor=None,
                action="escalate",
                from_state=locked.state,
                to_state=locked.state,
                payload={"level": level},
                role="system",
            )
            locked.skip_history_when_saving = True
            locked.save(update_fields=["event_seq"])

    def full(self, name, received, *, late_repair=False, district=None):
        case = self.open(name, received, district=district)
        case = self.assign(case, received + dt.timedelta(hours=2))
        self.order(case, received + dt.timedelta(hours=4))
        repaired = add_working_days(received, 12 if late_repair else 3)
        self.repair(case, repaired)
        self.verify(case, repaired + dt.timedelta(hours=3))
        return case


def seed_month(world: World) -> MonthWorld:
    m = MonthWorld(world)
    w = world
    # Closed before the period: not a case of the period.
    old = m.open("closed_before", at(2, 3))
    m.reject(old, at(2, 4), "spam")
    # Received in February, never touched again: open beyond the deadline at the end of March.
    stalled = m.open("stalled", at(2, 10))
    m.assign(stalled, at(2, 11))
    m.escalate(stalled, at(3, 5, 9), 3)
    # Open at the start, closed in the period (its stages end in March).
    carried = m.open("carried", at(2, 20))
    m.assign(carried, at(2, 21))
    m.order(carried, at(2, 24))
    m.repair(carried, at(3, 4))
    m.verify(carried, at(3, 5, 15))
    # Ordinary cases of the month; one repair late against its work order.
    m.full("normal_1", at(3, 3, 11))
    m.full("normal_2", at(3, 4, 9, 30), late_repair=True)
    m.full("normal_3", at(3, 11, 16))
    # Triage late: one working day allowed, three taken.
    late_triage = m.open("late_triage", at(3, 12, 10))
    m.assign(late_triage, at(3, 17, 12))
    m.escalate(late_triage, at(3, 14, 10), 1)
    # Extended twice.
    ext = m.open("extended", at(3, 3, 10))
    ext = m.assign(ext, at(3, 3, 12))
    ext = m.extend(ext, at(3, 5, 10), ext.due_at + dt.timedelta(days=7))
    m.extend(ext, at(3, 12, 10), ext.due_at + dt.timedelta(days=7))
    # Verified on the deadline day, reopened the next day.
    dl = m.open("deadline_day", at(3, 3, 10))
    due = answer_due(at(3, 3, 10))
    assert START < due < END - dt.timedelta(days=2), due
    dl = m.assign(dl, at(3, 3, 11))
    m.order(dl, at(3, 4, 10))
    m.repair(dl, at(3, 6, 10))
    m.rework(dl, at(3, 7, 10))
    m.repair(dl, at(3, 12, 10))
    due_day_morning = due.replace(hour=9, minute=0)
    m.verify(dl, due_day_morning)
    m.reopen(dl, due_day_morning + dt.timedelta(days=1, hours=3))
    # Verified early in the month, reopened later in it.
    vr = m.full("verified_reopened", at(3, 4, 10))
    m.reopen(vr, at(3, 20, 10))
    # Bounced between departments three times.
    bounced = m.open("bounced", at(3, 5, 10))
    bounced = m.assign(bounced, at(3, 5, 11))
    bounced = m.assign(
        bounced, at(3, 6, 10), department=w.dep_a1_build, actor=w.officer, reason="Не наш профиль."
    )
    bounced = m.assign(
        bounced, at(3, 7, 10), department=w.dep_a1, actor=w.officer_build, reason="Это дороги."
    )
    m.assign(
        bounced, at(3, 11, 10), department=w.dep_a1_build, actor=w.officer, reason="Снова стройка."
    )
    # The same photo as repair evidence on two cases.
    shared = (31, 141, 59)
    for name, day in (("photo_a", 6), ("photo_b", 13)):
        case = m.open(name, at(3, day, 10))
        case = m.assign(case, at(3, day, 11))
        m.order(case, at(3, day, 12))
        m.repair(case, at(3, day + 1, 15), after=m.photo(shared))
    # Rejected, two reasons.
    m.reject(m.open("rejected_spam", at(3, 18, 10)), at(3, 18, 12), "spam")
    m.reject(m.open("rejected_nv", at(3, 19, 10)), at(3, 20, 12), "no_violation")
    # Another district of the region.
    other = m.open("district_a2", at(3, 12, 10), district=w.a2)
    m.assign(other, at(3, 12, 12), department=w.dep_a2, actor=w.clerk_a2)
    # Another region: never in region A's report.
    outside = m.open("other_region", at(3, 12, 10), district=w.b1)
    m.reject(outside, at(3, 13, 10), "spam", actor=m.clerk_b1)
    # Received after the period.
    m.open("after", at(4, 2, 10))
    return m


# -- the same figures, recomputed from the events -------------------------------------------------

STAGE_ACTIONS = {
    "open",
    "assign",
    "notify_contractor",
    "report_repaired",
    "verify",
    "return_for_rework",
    "reject",
    "reopen",
}
OPEN = {"received", "assigned", "contractor_notified", "repaired"}


def _in(moment) -> bool:
    return START <= moment < END


def expected(region, district=None) -> dict:
    cases = Case.objects.filter(region=region).select_related("category")
    if district is not None:
        cases = cases.filter(district=district)
    events_by_case = defaultdict(list)
    for event in CaseEvent.objects.filter(case__in=cases, created_at__lt=END).order_by("seq"):
        events_by_case[event.case_id].append(event)
    out = {
        "received": 0,
        "assigned": set(),
        "rerouted": 0,
        "verified": set(),
        "rejected": Counter(),
        "reopened": 0,
        "extensions": 0,
        "escalations": Counter(),
        "stage_done": Counter(),
        "stage_late": Counter(),
        "stage_days": defaultdict(list),
        "open_at_end": 0,
        "flags": defaultdict(set),
        "period_cases": set(),
    }
    for case in cases:
        events = events_by_case.get(case.pk, [])
        if not events:
            continue
        stage_events = [e for e in events if e.action in STAGE_ACTIONS]
        # Alive during the period: received before its end and not closed before its start.
        closed_before = stage_events[-1].to_state in ("verified", "rejected") and (
            stage_events[-1].created_at < START
        )
        if closed_before:
            continue
        out["period_cases"].add(case.tracking_code)
        for e in events:
            if not _in(e.created_at):
                continue
            if e.action == "open":
                out["received"] += 1
            elif e.action == "assign" and e.from_state == "received":
                out["assigned"].add(case.pk)
            elif e.action == "assign":
                out["rerouted"] += 1
            elif e.action == "verify":
                out["verified"].add(case.pk)
            elif e.action == "reject":
                out["rejected"][e.payload["reason_code"]] += 1
            elif e.action == "reopen":
                out["reopened"] += 1
            elif e.action == "extend_deadline":
                out["extensions"] += 1
            elif e.action == "escalate":
                out["escalations"][str(e.payload["level"])] += 1
        days_for = {
            "received": case.category.sla_triage_days,
            "assigned": case.category.sla_work_order_days,
            "contractor_notified": case.category.sla_repair_days,
            "repaired": case.category.sla_verification_days,
        }
        for first, nxt in zip(stage_events, stage_events[1:], strict=False):
            if first.to_state not in OPEN or not _in(nxt.created_at):
                continue
            if first.action == "notify_contractor":
                due = dt.datetime.fromisoformat(first.payload["due_at"])
            else:
                due = add_working_days(first.created_at, days_for[first.to_state])
            out["stage_done"][first.to_state] += 1
            out["stage_late"][first.to_state] += int(nxt.created_at > due)
            out["stage_days"][first.to_state].append(
                working_days_between(first.created_at, nxt.created_at)
            )

        # The answer deadline in force at a moment: the latest receipt / reopening / extension.
        def due_before(seq_limit):
            due = None
            for e in events:
                if e.seq >= seq_limit:
                    break
                if e.action == "open":
                    due = answer_due(case.received_at, case.category.sla_total_days)
                elif e.action == "reopen":
                    due = answer_due(e.created_at, case.category.sla_total_days)
                elif e.action == "extend_deadline":
                    due = dt.datetime.fromisoformat(e.payload["due_at"])
            return due

        state_at_end = stage_events[-1].to_state
        if state_at_end in OPEN:
            out["open_at_end"] += 1
            if due_before(10**9) < END:
                out["flags"]["overdue_open"].add(case.tracking_code)
        ext = [e for e in events if e.action == "extend_deadline"]
        if len(ext) >= 2 and _in(ext[-1].created_at):
            out["flags"]["repeated_extensions"].add(case.tracking_code)
        reroutes = [e for e in events if e.action == "assign" and e.from_state == "assigned"]
        if len(reroutes) > 2 and _in(reroutes[-1].created_at):
            out["flags"]["bounced"].add(case.tracking_code)
        for before, e in zip(stage_events, stage_events[1:], strict=False):
            if e.action != "reopen" or not _in(e.created_at):
                continue
            if e.from_state == "verified":
                out["flags"]["verified_reopened"].add(case.tracking_code)
            due = due_before(before.seq)
            if due.astimezone(ALMATY).date() == before.created_at.astimezone(ALMATY).date():
                out["flags"]["closed_on_deadline_reopened"].add(case.tracking_code)
    # Photo reuse: the same evidence bytes on two cases, one upload in the period.
    from casework.models import Attachment

    evidence = Attachment.objects.filter(
        kind__in=["before", "after", "inspection"], uploaded_at__lt=END
    ).select_related("case")
    by_hash = defaultdict(list)
    for a in evidence:
        by_hash[a.sha256].append(a)
    for rows in by_hash.values():
        if len({a.case_id for a in rows}) < 2 or not any(_in(a.uploaded_at) for a in rows):
            continue
        for a in rows:
            if a.case.tracking_code in out["period_cases"]:
                out["flags"]["photo_reused"].add(a.case.tracking_code)
    out["assigned"] = len(out["assigned"])
    out["verified"] = len(out["verified"])
    out["stage_median"] = {
        stage: statistics.median(days) for stage, days in out["stage_days"].items()
    }
    return out
