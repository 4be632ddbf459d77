"""The actions staff take on a case from the staff application: each one a form and the
casework (or contractors) service it calls. No action writes a model itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework import permissions, roles, scopes, services
from casework.models import Case
from casework.selectors import case_allowed_transitions
from casework.states import CLOSED_STATES, CaseState
from casework.transition_calls import transition_call
from workflows import forms


@dataclass(frozen=True)
class Action:
    name: str
    label: Promise
    form_class: type[forms.ActionForm]
    perform: Callable[[Case, Any, dict[str, Any]], Any]
    style: str = ""
    done_message: Promise = _("Done.")

    @property
    def multipart(self) -> bool:
        return any(
            isinstance(field, forms.MultipleImageField)
            for field in self.form_class.base_fields.values()
        )


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "assign",
            _("Route to a department"),
            forms.AssignForm,
            transition_call("assign"),
            style="primary",
            done_message=_("The case was sent to the department."),
        ),
        Action(
            "notify_contractor",
            _("Issue a work order"),
            forms.WorkOrderForm,
            transition_call("notify_contractor"),
            style="primary",
            done_message=_("The work order was issued and the contractor notified."),
        ),
        Action(
            "report_repaired",
            _("Report the repair"),
            forms.RepairReportForm,
            transition_call("report_repaired"),
            style="primary",
            done_message=_("The repair was reported; an inspector will check it."),
        ),
        Action(
            "verify",
            _("Accept the repair"),
            forms.VerifyForm,
            transition_call("verify"),
            style="primary",
            done_message=_("The repair was accepted and the case closed."),
        ),
        Action(
            "return_for_rework",
            _("Send back for rework"),
            forms.ReturnForm,
            transition_call("return_for_rework"),
            style="danger",
            done_message=_("The repair was sent back to the contractor."),
        ),
        Action(
            "reject",
            _("Reject"),
            forms.RejectForm,
            transition_call("reject"),
            style="danger",
            done_message=_("The case was rejected; the citizen will see your explanation."),
        ),
        Action(
            "reopen",
            _("Reopen"),
            forms.ReopenForm,
            transition_call("reopen"),
            done_message=_("The case was reopened."),
        ),
        Action(
            "extend_deadline",
            _("Extend the deadline"),
            forms.ExtendDeadlineForm,
            transition_call("extend_deadline"),
            done_message=_("The deadline was extended; the citizen will be told."),
        ),
    )
}

# An officer's assign is a redirect: the label says so.
REDIRECT_LABEL = _("Redirect to another department")


def may_extend(case: Case, user) -> bool:
    if case.state in CLOSED_STATES:
        return False
    granted = roles.TRANSITION_ROLES["extend_deadline"] & roles.user_roles(user)
    return any(scopes.role_covers(role, user, case) for role in granted)


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
