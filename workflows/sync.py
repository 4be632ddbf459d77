"""Moving a case's process along with the case, inside the service's transaction.

Every casework service sends `case_changed` after it has written the case and its event. Here the
matching task is finished (by whoever took the transition) and the flow creates the next one; if
anything fails, the exception rolls the service back too, so the case and its flow never disagree.
"""

from __future__ import annotations

import logging

from django.dispatch import receiver
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from casework.models import Case
from casework.signals import case_changed
from casework.states import CLOSED_STATES
from workflows.flows import CaseFlow, step_for
from workflows.models import CaseProcess

log = logging.getLogger(__name__)

ACTIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
STARTS_PROCESS = frozenset({"open", "reopen"})


class FlowOutOfStep(RuntimeError):
    """A case transition found no task to finish: the flow had fallen out of step."""


def active_tasks(case: Case):
    return Task.objects.filter(
        process__flow_class=CaseFlow,
        process__caseprocess__case=case,
        status__in=ACTIVE,
        flow_task_type="HUMAN",
    ).order_by("id")


def process_start(case: Case) -> CaseProcess:
    return CaseFlow.start.run(case=case)


@receiver(case_changed, dispatch_uid="workflows.sync.flow_follow_case")
def flow_follow_case(sender, case: Case, event, actor, transition: str, **kwargs) -> None:
    follow(case, actor=actor, transition=transition, from_state=event.from_state)


def follow(case: Case, *, actor, transition: str, from_state: str) -> None:
    tasks = list(active_tasks(case))
    if transition in STARTS_PROCESS:
        if tasks:
            raise FlowOutOfStep(f"{case}: {transition} while tasks are open: {tasks}")
        process_start(case)
        return
    if not tasks and not CaseProcess.objects.filter(case=case).exists():
        # A case from before the flow existed: give it its process now, at its current step.
        if case.state not in CLOSED_STATES:
            step = step_for(case.state, case.category.corruption_report)
            log.info("case %s adopted by the flow at %s", case, step)
            process_start(case)
        return
    finishing = [t for t in tasks if transition in t.flow_task.transitions]
    if len(finishing) == 1 and len(tasks) == 1:
        task = finishing[0]
        activation = task.flow_task.activation_class(task)
        activation.process.case = case
        activation.finish_for(actor)
        return
    if from_state == case.state and not finishing:
        return  # not a step of the flow (a deadline extension, for instance)
    raise FlowOutOfStep(
        f"{case} ({from_state} -> {case.state} by {transition}) has open tasks "
        f"{[str(t.flow_task) for t in tasks]}"
    )
