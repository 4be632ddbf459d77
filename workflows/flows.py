"""The case flow: who does the next step.

A complaint about public works:

    open -> triage (district clerks) --assign--> plan repair (department officers)
              |                                    |-- assign elsewhere --> plan repair there
              +--reject--> rejected                |-- reject --> rejected
                                                   +-- work order --> repair (the contractor)
                                                                        |
         verified <--verify-- verify (department inspectors, not the issuer of the order)
                                 +-- return for rework --> repair

A corruption report (its category says so) never goes to a department or a contractor:

    open -> take up (the region's anti-corruption investigators) --review_start-->
         review (the investigator who took it up) --refer--> referred
                                                  +--answer--> closed with an answer

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
from contractors.selectors import current_work_order
from workflows.models import CaseProcess
from workflows.nodes import CaseTask


def state_is(*states: str):
    def condition(activation) -> bool:
        return activation.process.case.state in states

    condition.__name__ = "state_is_" + "_or_".join(states)
    return condition


def corruption_report_in(*states: str):
    def condition(activation) -> bool:
        case = activation.process.case
        return case.category.corruption_report and case.state in states

    condition.__name__ = "corruption_report_in_" + "_or_".join(states)
    return condition


def _region(process: CaseProcess):
    return process.case.region


def _district(process: CaseProcess):
    return process.case.district


def _department(process: CaseProcess):
    return process.case.department


def _contractor(process: CaseProcess):
    order = current_work_order(process.case)
    return order.contractor if order is not None else None


class CaseFlow(flow.Flow):
    """Complaint case

    A citizen's complaint from receipt to a verified repair or a motivated rejection; a report
    of corruption from receipt to its referral or a motivated answer."""

    process_class = CaseProcess

    start = flow.StartHandle(this.start_case).Next(this.route_start)
    route_start = (
        flow.Switch()
        .Case(this.take_up_report, corruption_report_in(CaseState.RECEIVED))
        .Case(this.review_report, state_is(CaseState.UNDER_REVIEW))
        .Case(this.triage, state_is(CaseState.RECEIVED))
        .Case(this.plan_repair, state_is(CaseState.ASSIGNED))
    )

    take_up_report = (
        CaseTask(role=roles.INVESTIGATOR, scope=_region, transitions=("review_start",))
        .Annotation(
            title=_("Take up the corruption report"),
            description=_("A report of corruption: take it up for review."),
        )
        .onCreate(this.task_created)
        .Next(this.review_report)
    )
    review_report = (
        CaseTask(role=roles.INVESTIGATOR, scope=_region, transitions=("refer", "answer"))
        .Annotation(
            title=_("Review the corruption report"),
            description=_("Refer it for investigation, or close it with an answer."),
        )
        .Assign(this.reviewer)
        .onCreate(this.task_created)
        .Next(this.route_reviewed)
    )
    route_reviewed = (
        flow.Switch()
        .Case(this.referred, state_is(CaseState.REFERRED))
        .Case(this.answered, state_is(CaseState.ANSWERED))
    )
    referred = flow.End()
    answered = flow.End()

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

    def reviewer(self, activation):
        """The investigator who took the report up keeps it for the review."""
        from casework.models import CaseEvent

        event = (
            CaseEvent.objects.filter(case=activation.process.case, action="review_start")
            .select_related("actor")
            .order_by("-seq")
            .first()
        )
        return event.actor if event is not None else None

    def task_created(self, activation) -> None:
        from workflows.notifications import task_created_notice

        task_created_notice(activation.task)


# The human steps, in flow order, and which case state each one is for.
HUMAN_STEPS = ("triage", "plan_repair", "repair", "verify", "take_up_report", "review_report")
STEP_FOR_STATE = {
    CaseState.RECEIVED: "triage",
    CaseState.ASSIGNED: "plan_repair",
    CaseState.CONTRACTOR_NOTIFIED: "repair",
    CaseState.REPAIRED: "verify",
    CaseState.UNDER_REVIEW: "review_report",
}
# A corruption report's steps where they differ.
REPORT_STEP_FOR_STATE = {**STEP_FOR_STATE, CaseState.RECEIVED: "take_up_report"}


def step_for(state: str, corruption_report: bool) -> str | None:
    """The human step an open case in `state` waits on (None for a closed case)."""
    return (REPORT_STEP_FOR_STATE if corruption_report else STEP_FOR_STATE).get(state)
