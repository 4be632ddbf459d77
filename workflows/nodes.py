"""A human step of the case flow, subclassing viewflow's View node.

The node knows which role does it, in which scope (the queue: a district's clerks, a
department's officers or inspectors, the contractor on the work order) and which case
transitions finish it. It is never finished by a viewflow view: the casework service that takes
one of those transitions sends `case_changed`, and `workflows.sync` completes the task in the
same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.nodes import View, ViewActivation

from casework import clock


class CaseTaskActivation(ViewActivation):
    """viewflow's activation for a view task, with the task's moments taken from the case clock
    (the demo seeder and tests move it), and a way to finish the task for whoever took the
    transition, claimed or not."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        moment = clock.now()
        if abs((timezone.now() - moment).total_seconds()) > 1:
            activation.task.created = moment
            activation.task.save(update_fields=["created"])
        return activation

    def finish_for(self, actor) -> None:
        """The case took one of this task's transitions: mark the task done by `actor` and
        create the next one. Runs inside the service's transaction."""
        claimed_by = self.task.owner_id
        if self.task.status == STATUS.NEW:
            self.assign(actor)
        elif actor is not None and claimed_by != actor.pk:
            self.task.data = {**(self.task.data or {}), "claimed_by": claimed_by}
            self.reassign(user=actor)
        if self.task.status == STATUS.ASSIGNED:
            self.start(None)
        self.execute()
        moment = clock.now()
        if abs((timezone.now() - moment).total_seconds()) > 1:
            self.task.started = self.task.finished = moment
            self.task.save(update_fields=["started", "finished"])


class CaseTask(View):
    """A step done by people of one role within one scope of the case."""

    activation_class = CaseTaskActivation

    def __init__(
        self,
        *,
        role: str,
        scope: Callable[[object], object],
        transitions: Iterable[str],
        **kwargs,
    ):
        super().__init__(view=None, **kwargs)
        self.role = role
        self.transitions = frozenset(transitions)
        # The queue: holders of `role` whose scope is this object (district, department,
        # contractor), computed from the case when the task is created.
        self.Permission(role, obj=scope)

    def can_assign(self, user, task) -> bool:
        from workflows import queues

        return queues.may_claim(user, task)

    def can_unassign(self, user, task) -> bool:
        from workflows import queues

        return queues.may_release(user, task)

    def can_execute(self, user, task) -> bool:
        return bool(
            user is not None and user.is_authenticated and task.owner_id == user.pk
        ) and task.status in (STATUS.ASSIGNED, STATUS.STARTED)
