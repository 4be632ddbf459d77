"""Reads. Every read of cases that a role may see starts from `cases_visible_to`."""

from __future__ import annotations

from django.db.models import QuerySet
from django_fsm import get_available_user_FIELD_transitions

from casework import roles, scopes
from casework.models import Case, CaseEvent
from casework.states import CaseState


def cases_visible_to(user) -> QuerySet[Case]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(scopes.cases_filter(user))


def case_for_user(user, pk: int) -> Case | None:
    return cases_visible_to(user).filter(pk=pk).first()


def case_allowed_transitions(case: Case, user) -> list[str]:
    """Names of the transitions `user` may take on `case` now."""
    field = Case._meta.get_field("state")
    names = [t.name for t in get_available_user_FIELD_transitions(case, user, field)]
    return list(dict.fromkeys(names))


# Events a contractor never sees: who revealed the complainant's data, why, and which fields
# exist; and the staff's own comments.
STAFF_ONLY_EVENT_ACTIONS = ("complainant_revealed", "comment")


def case_events(case: Case, user=None) -> QuerySet[CaseEvent]:
    """The case's history. Given a `user` who may not see the complainant (a contractor), the
    events about the complainant's data and the staff's comments are left out."""
    events = CaseEvent.objects.filter(case=case).select_related("actor").order_by("seq")
    if user is not None and not may_see_complainant(user):
        events = events.exclude(action__in=STAFF_ONLY_EVENT_ACTIONS)
    return events


def may_see_complainant(user) -> bool:
    """Contractors never see complainant fields, not even masked ones."""
    user_roles = roles.user_roles(user)
    return bool(user_roles) and roles.CONTRACTOR not in user_roles


def state_label(state: str) -> str:
    return CaseState(state).label
