"""The case flow: who does the next step.

    open -> triage (district clerks) --assign--> plan repair (department officers)
              |                                    |-- assign elsewhere --> plan repair there
              +--reject--> rejected                |-- reject --> rejected
                                                   +-- work order --> repair (the contractor)
                                                                        |
         verified <--verify-- verify (department inspectors, not the issuer of the order)
                                 +-- return for rework --> repair

Each human step finishes when the case takes one of its transitions (through a casework service,
whichever screen or API called it); the gateways then read the case's new state. The flow keeps
no status of its own: `reopen` starts a new process on the same case.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from casework import roles
from casework.states import CaseState
from workflows.models import CaseProcess
from workflows.nodes import CaseTask


def state_is(*states: str):
    def condition(activation) -> bool:
        return activation.process.case.state in states

    condition.__name__ = "state_is_" + "_or_".join(states)
    return condition


def _district(process: CaseProcess):
    return process.case.district


def _department(process: CaseProcess):
    return process.case.department


def _contractor(process: CaseProcess):
    from contractors.services import current_work_order

    order = current_work_order(process.case)
    return order.contractor if order is not None else None


class CaseFlow(flow.Flow):
    """Complaint case

    A citizen's complaint from receipt to a verified repair or a motivated rejection."""

    process_class = CaseProcess

    start = flow.StartHandle(this.start_case).Next(this.route_start)
    route_start = (
        flow.Switch()
        .Case(this.triage, state_is(CaseState.RECEIVED))
        .Case(this.plan_repair, state_is(CaseState.ASSIGNED))
    )

    triage = (
        CaseTask(role=roles.CLERK, scope=_district, transitions=("assign", "reject"))
        .Annotation(title=_("Triage"), description=_("Route to a department or reject."))
        .onCreate(this.task_created)
        .Next(this.route_triaged)
    )
    route_triaged = (
        flow.Switch()
        .Case(this.plan_repair, state_is(CaseState.ASSIGNED))
        .Case(this.rejected, state_is(CaseState.REJECTED))
    )

    plan_repair = (
        CaseTask(
            role=roles.OFFICER,
            scope=_department,
            transitions=("notify_contractor", "assign", "reject"),
        )
        .Annotation(
            title=_("Plan the repair"),
            description=_("Issue a work order under a contract, redirect or reject."),
        )
        .onCreate(this.task_created)
        .Next(this.route_planned)
    )
    route_planned = (
        flow.Switch()
        .Case(this.repair, state_is(CaseState.CONTRACTOR_NOTIFIED))
        .Case(this.plan_repair, state_is(CaseState.ASSIGNED))
        .Case(this.rejected, state_is(CaseState.REJECTED))
    )

    repair = (
        CaseTask(role=roles.CONTRACTOR, scope=_contractor, transitions=("report_repaired",))
        .Annotation(title=_("Repair"), description=_("Do the work and report it with photos."))
        .onCreate(this.task_created)
        .Next(this.verify)
    )

    verify = (
        CaseTask(
            role=roles.INSPECTOR,
            scope=_department,
            transitions=("verify", "return_for_rework"),
        )
        .Annotation(
            title=_("Verify the repair"),
            description=_("Check the repair on site: accept it or send it back."),
        )
        .onCreate(this.task_created)
        .Next(this.route_verified)
    )
    route_verified = flow.If(state_is(CaseState.VERIFIED)).Then(this.verified).Else(this.repair)

    verified = flow.End()
    rejected = flow.End()

    def start_case(self, activation, case):
        activation.process.case = case
        return activation.process

    def task_created(self, activation) -> None:
        from workflows.notifications import task_created_notice

        task_created_notice(activation.task)


# The human steps, in flow order, and which case state each one is for.
HUMAN_STEPS = ("triage", "plan_repair", "repair", "verify")
STEP_FOR_STATE = {
    CaseState.RECEIVED: "triage",
    CaseState.ASSIGNED: "plan_repair",
    CaseState.CONTRACTOR_NOTIFIED: "repair",
    CaseState.REPAIRED: "verify",
}
