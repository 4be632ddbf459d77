"""The one table of case actions: each action's name, the input it takes through the staff
application (a form) and through the REST API (a serializer), and the service that performs it
(casework's, or contractors' for work orders). Both doors look actions up here and nowhere else;
no action writes a model itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers as rest_serializers

from casework import permissions, services
from casework.models import Case
from casework.selectors import case_allowed_transitions
from casework.states import CLOSED_STATES, CaseState
from contractors.services import work_order_issue, work_order_report_repair
from oversight.services import act_sign
from workflows import forms
from workflows.api import serializers as api


@dataclass(frozen=True)
class Action:
    """One thing staff do to a case: what it is called, the input it takes through each door
    (the staff application's form, the REST API's serializer; the same field names) and the
    service that does it, called with those fields as keyword arguments."""

    name: str
    label: Promise
    form_class: type[forms.ActionForm]
    serializer_class: type[rest_serializers.Serializer]
    service: Callable[..., Any]
    style: str = ""
    done_message: Promise = _("Done.")
    # A step of the lifecycle: POST /api/v1/cases/{id}/transitions/{name}/. (A deadline
    # extension is not; it has its own endpoint.)
    transition: bool = True

    def perform(self, case: Case, actor, data: dict[str, Any]) -> Any:
        """Run the service on `case` as `actor` with the validated input of either door: the
        form's and the serializer's fields are the service's keyword arguments."""
        return self.service(case, actor=actor, **data)

    def form(self, *args, case: Case, user) -> forms.ActionForm:
        """The action's form. Its fields' ids carry the action's name: a task page shows the
        forms of several actions, and their fields (`reason`, `photos`, ...) must not share
        an id, or a label would name a field of another form."""
        return self.form_class(*args, case=case, user=user, auto_id=f"id_{self.name}_%s")

    @property
    def multipart(self) -> bool:
        return any(
            isinstance(field, forms.MultipleImageField)
            for field in self.form_class.base_fields.values()
        )

    @property
    def api_multipart(self) -> bool:
        return any(
            isinstance(getattr(field, "child", None), rest_serializers.FileField)
            for field in self.serializer_class().fields.values()
        )


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "assign",
            _("Route to a department"),
            forms.AssignForm,
            api.AssignSerializer,
            services.case_assign,
            style="primary",
            done_message=_("The case was sent to the department."),
        ),
        Action(
            "notify_contractor",
            _("Issue a work order"),
            forms.WorkOrderForm,
            api.WorkOrderIssueSerializer,
            work_order_issue,
            style="primary",
            done_message=_("The work order was issued and the contractor notified."),
        ),
        Action(
            "report_repaired",
            _("Report the repair"),
            forms.RepairReportForm,
            api.RepairReportSerializer,
            work_order_report_repair,
            style="primary",
            done_message=_("The repair was reported; an inspector will check it."),
        ),
        Action(
            "verify",
            _("Accept the repair"),
            forms.VerifyForm,
            api.VerifySerializer,
            act_sign,
            style="primary",
            done_message=_("The repair was accepted and the case closed."),
        ),
        Action(
            "return_for_rework",
            _("Send back for rework"),
            forms.ReturnForm,
            api.ReworkSerializer,
            services.case_return_for_rework,
            style="danger",
            done_message=_("The repair was sent back to the contractor."),
        ),
        Action(
            "reject",
            _("Reject"),
            forms.RejectForm,
            api.RejectSerializer,
            services.case_reject,
            style="danger",
            done_message=_("The case was rejected; the citizen will see your explanation."),
        ),
        Action(
            "reopen",
            _("Reopen"),
            forms.ReopenForm,
            api.ReopenSerializer,
            services.case_reopen,
            done_message=_("The case was reopened."),
        ),
        Action(
            "review_start",
            _("Take up the review"),
            forms.ReviewStartForm,
            api.ReviewStartSerializer,
            services.case_review_start,
            style="primary",
            done_message=_("The corruption report is under your review."),
        ),
        Action(
            "refer",
            _("Refer for investigation"),
            forms.ReferForm,
            api.ReferSerializer,
            services.case_refer,
            style="primary",
            done_message=_("The report was referred; the citizen will see your answer."),
        ),
        Action(
            "answer",
            _("Close with an answer"),
            forms.AnswerForm,
            api.AnswerSerializer,
            services.case_answer,
            done_message=_("The report was closed; the citizen will see your answer."),
        ),
        Action(
            "extend_deadline",
            _("Extend the deadline"),
            forms.ExtendDeadlineForm,
            api.ExtendDeadlineSerializer,
            services.case_extend_deadline,
            done_message=_("The deadline was extended; the citizen will be told."),
            transition=False,
        ),
    )
}
# The lifecycle's steps, as the API's transitions endpoint serves them.
TRANSITIONS: dict[str, Action] = {name: a for name, a in ACTIONS.items() if a.transition}

# An officer's assign is a redirect: the label says so.
REDIRECT_LABEL = _("Redirect to another department")


def may_extend(case: Case, user) -> bool:
    if case.state in CLOSED_STATES:
        return False
    return permissions.acting_role("extend_deadline", case, user) is not None


def allowed_actions(case: Case, user) -> list[Action]:
    """The actions `user` may take on `case` now, in the order they are usually taken."""
    names = set(case_allowed_transitions(case, user))
    if may_extend(case, user):
        names.add("extend_deadline")
    return [action for name, action in ACTIONS.items() if name in names]


def action_label(action: Action, case: Case) -> Promise:
    if action.name == "assign" and case.state == CaseState.ASSIGNED:
        return REDIRECT_LABEL
    return action.label


def authorise(action: Action, case: Case, user) -> None:
    """403 / 409 before looking at the form, as the API does."""
    if action.name == "extend_deadline":
        if not may_extend(case, user):
            if case.state in CLOSED_STATES:
                raise services.TransitionConflict(
                    _("A closed case has no deadline to extend."), state=case.state
                )
            raise PermissionDenied(_("You may not do this on this case."))
        return
    services.transition_authorise(action.name, case, user)


def may_reveal(case: Case, user) -> bool:
    return permissions.may_read_contact(case, user) is not None
