"""A hypothesis state machine drives the services with random actors and transitions.

After every step: the state is legal, every change wrote exactly one event that extends the
chain, and an actor succeeded exactly when an independent model of the rules says they may.
Other apps subclass `LifecycleMachine` to add their own invariants (the workflow's flow check).
"""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from PIL import Image

from casework import services
from casework.audit import chain_verify, event_hash
from casework.models import AuditHead, Case, CaseEvent
from casework.services import TransitionConflict
from casework.states import CaseState
from contractors.selectors import current_work_order
from contractors.services import work_order_issue

EXAMPLES = int(os.environ.get("STATE_MACHINE_EXAMPLES", "200"))
USERS = [
    "clerk",
    "clerk_a2",
    "officer",
    "officer2",
    "officer_build",
    "inspector",
    "inspector_a2",
    "contractor",
    "other_contractor",
    "investigator",
    "investigator_b",
    "manager",
]
TRANSITIONS = [
    "assign",
    "notify_contractor",
    "report_repaired",
    "verify",
    "return_for_rework",
    "reject",
    "reopen",
    "extend_deadline",
    # A corruption report's own lifecycle.
    "review_start",
    "refer",
    "answer",
]
CORRUPTION_ONLY = ("review_start", "refer", "answer")
DEPARTMENTS = ["dep_a1", "dep_a1_build", "dep_a2", "dep_b1"]
CONTRACTS = ["contract", "other_contract"]


def tiny_jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 90, 90)).save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


class LifecycleMachine(RuleBasedStateMachine):
    world = None  # set by the test before running

    @initialize(corruption=st.booleans())
    def open_case(self, corruption):
        # Half the runs follow a corruption report, which has a lifecycle of its own.
        self.corruption = corruption
        self.case = self.world.case(category=self.world.corruption if corruption else None)
        self.expected_events = 1
        self.head = AuditHead.objects.get().last_hash

    # The rules, written from the issue, independently of casework.permissions -------------

    def snapshot(self):
        case = Case.objects.get(pk=self.case.pk)
        order = current_work_order(case) if case.state == "contractor_notified" else None
        return case, order

    def allowed(self, name: str, actor: str, department: str, contract: str, snapshot=None) -> bool:
        w = self.world
        case, order = snapshot or self.snapshot()
        state, dept = case.state, case.department_id
        officer_of_dept = (actor in ("officer", "officer2") and dept == w.dep_a1.pk) or (
            actor == "officer_build" and dept == w.dep_a1_build.pk
        )
        within_cap = case.due_at + dt.timedelta(days=1) <= case.received_at + dt.timedelta(days=59)
        if self.corruption:
            # Only the investigators of the case's region (A), and only these steps.
            investigator = actor == "investigator"
            if name == "review_start":
                return state == "received" and investigator
            if name in ("refer", "answer"):
                return state == "under_review" and investigator
            if name == "extend_deadline":
                return state in ("received", "under_review") and investigator and within_cap
            return False
        if name in CORRUPTION_ONLY:
            return False
        if name == "assign":
            target = getattr(w, department)
            return (
                state in ("received", "assigned")
                and target.pk != dept
                and target.district.region_id == w.region_a.pk
                and (actor == "clerk" or (state == "assigned" and officer_of_dept))
            )
        if name == "notify_contractor":
            return state == "assigned" and dept == w.dep_a1.pk and actor in ("officer", "officer2")
        if name == "report_repaired":
            if order is None:
                return False
            owner = {w.contractor.pk: "contractor", w.other_contractor.pk: "other_contractor"}
            return state == "contractor_notified" and owner.get(order.contractor_id) == actor
        if name in ("verify", "return_for_rework"):
            inspector_of_dept = (actor == "inspector" and dept == w.dep_a1.pk) or (
                actor == "inspector_a2" and dept == w.dep_a2.pk
            )
            return state == "repaired" and inspector_of_dept
        if name == "reject":
            return (state == "received" and actor == "clerk") or (
                state == "assigned" and (actor == "clerk" or officer_of_dept)
            )
        if name == "reopen":
            return state in ("verified", "rejected") and (
                actor in ("clerk", "investigator") or officer_of_dept
            )
        if name == "extend_deadline":
            return state not in ("verified", "rejected") and officer_of_dept and within_cap
        raise AssertionError(name)

    def perform(self, name: str, actor, department: str, contract: str) -> None:
        w, pk = self.world, self.case.pk
        if name == "assign":
            services.case_assign(
                pk, actor=actor, department=getattr(w, department), reason="Перенаправление"
            )
        elif name == "notify_contractor":
            work_order_issue(pk, actor=actor, contract=getattr(w, contract))
        elif name == "report_repaired":
            services.case_report_repaired(
                pk, actor=actor, before=[tiny_jpeg()], after=[tiny_jpeg()]
            )
        elif name == "verify":
            services.case_verify(pk, actor=actor)
        elif name == "return_for_rework":
            services.case_return_for_rework(pk, actor=actor, reason="Швы не залиты")
        elif name == "reject":
            services.case_reject(
                pk, actor=actor, reason_code="no_violation", reason="Не подтвердилось"
            )
        elif name == "reopen":
            state = Case.objects.get(pk=pk).state
            kind = "appeal" if state == "rejected" else "citizen_dispute"
            services.case_reopen(pk, actor=actor, reason="Жалоба заявителя", kind=kind)
        elif name == "review_start":
            services.case_review_start(pk, actor=actor, note="Проверка")
        elif name == "refer":
            services.case_refer(pk, actor=actor, referred_to="Прокуратура", answer="Передано")
        elif name == "answer":
            services.case_answer(pk, actor=actor, answer="Не подтвердилось")
        elif name == "extend_deadline":
            due = Case.objects.get(pk=pk).due_at
            services.case_extend_deadline(
                pk,
                actor=actor,
                new_due_at=due + dt.timedelta(days=1),
                decision="Решение руководителя",
            )

    @rule(
        name=st.sampled_from(TRANSITIONS),
        actor=st.sampled_from(USERS),
        department=st.sampled_from(DEPARTMENTS),
        contract=st.sampled_from(CONTRACTS),
    )
    def take(self, name, actor, department, contract):
        expected = self.allowed(name, actor, department, contract)
        before = Case.objects.get(pk=self.case.pk)
        try:
            self.perform(name, self.world.users[actor], department, contract)
            succeeded = True
        except (PermissionDenied, TransitionConflict, ValidationError):
            succeeded = False
        assert succeeded == expected, (name, actor, before.state, department, contract)
        after = Case.objects.get(pk=self.case.pk)
        if succeeded:
            self.expected_events += 1
        else:
            assert after.state == before.state and after.event_seq == before.event_seq

    @rule(data=st.data())
    def take_an_allowed_step(self, data):
        """Push the case forward: draw among the moves the model allows, so deep states are
        reached as often as refusals are tried."""
        snapshot = self.snapshot()
        moves = [
            (name, actor, department, contract)
            for name in TRANSITIONS
            for actor in USERS
            for department in (DEPARTMENTS if name == "assign" else DEPARTMENTS[:1])
            for contract in (CONTRACTS if name == "notify_contractor" else CONTRACTS[:1])
            if self.allowed(name, actor, department, contract, snapshot)
        ]
        if moves:
            self.take(*data.draw(st.sampled_from(moves)))

    # Invariants --------------------------------------------------------------------------------

    @invariant()
    def state_is_legal(self):
        assert Case.objects.get(pk=self.case.pk).state in CaseState.values

    @invariant()
    def one_event_per_change_extending_the_chain(self):
        events = list(CaseEvent.objects.filter(case=self.case).order_by("seq"))
        assert [e.seq for e in events] == list(range(1, self.expected_events + 1))
        head = AuditHead.objects.get()
        new = CaseEvent.objects.filter(hash=head.last_hash).first()
        if head.last_hash != self.head:
            assert new is not None and new.case_id == self.case.pk
            assert new.hash == event_hash(new.prev_hash, new)
        self.head = head.last_hash


REACHED: set[str] = set()


def run_machine(machine: type[LifecycleMachine], world, examples: int = EXAMPLES) -> None:
    machine.world = world
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
    assert chain_verify().ok
    reached = set(CaseEvent.objects.values_list("action", flat=True))
    assert reached >= {
        "verify",
        "return_for_rework",
        "reject",
        "reopen",
        "extend_deadline",
        "review_start",
        "refer",
        "answer",
    }


@pytest.mark.django_db
@pytest.mark.slow
def test_services_obey_the_lifecycle_under_random_actors(world):
    run_machine(LifecycleMachine, world)
