"""Who may take which transition on which case.

A role may act when the transition lists it (`roles.TRANSITION_ROLES`), the case is in that
role's scope, and the transition's own rule for that role holds.
"""

from __future__ import annotations

from casework import roles, scopes
from casework.states import CORRUPTION_TRANSITIONS, CaseState


def _assign_rule(role: str, user, case) -> bool:
    # A department officer redirects a case already routed to them; only clerks route new ones.
    return role == roles.CLERK or case.state == CaseState.ASSIGNED


def _inspection_rule(role: str, user, case) -> bool:
    # Four eyes: never the officer who issued the work order, never a contractor.
    if roles.CONTRACTOR in roles.user_roles(user):
        return False
    return case.work_order_issued_by_id is None or case.work_order_issued_by_id != user.pk


def _reject_rule(role: str, user, case) -> bool:
    return role == roles.CLERK or case.state == CaseState.ASSIGNED


def _extension_rule(role: str, user, case) -> bool:
    # The officers of the department answer for a repair's deadline; the region's investigators
    # for a corruption report's (they alone handle it).
    if case.category.corruption_report:
        return role == roles.INVESTIGATOR
    return role == roles.OFFICER


_RULES = {
    "assign": _assign_rule,
    "verify": _inspection_rule,
    "return_for_rework": _inspection_rule,
    "reject": _reject_rule,
    "extend_deadline": _extension_rule,
}


def in_lane(name: str, case) -> bool:
    """A corruption report takes only its own transitions (and reopening, for the record); a
    complaint never takes those. So a corruption report never reaches a department or a
    contractor, whoever asks."""
    if name in ("extend_deadline", "reopen"):
        return True
    return (name in CORRUPTION_TRANSITIONS) == bool(case.category.corruption_report)


def acting_role(name: str, case, user) -> str | None:
    """The role under which `user` may take transition `name` on `case`, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not in_lane(name, case):
        return None
    allowed = roles.TRANSITION_ROLES.get(name, frozenset())
    rule = _RULES.get(name)
    for role in roles.ROLES:
        if role not in allowed or role not in roles.user_roles(user):
            continue
        if not scopes.role_covers(role, user, case):
            continue
        if rule is None or rule(role, user, case):
            return role
    return None


def may_transition(name: str, case, user) -> bool:
    return acting_role(name, case, user) is not None


def contact_reader_roles(case) -> frozenset[str]:
    """The roles that may read this case's complainant, each within its own scope."""
    if case.category.corruption_report:
        return roles.CORRUPTION_REPORTER_READER_ROLES
    return roles.CONTACT_READER_ROLES


def may_read_contact(case, user) -> str | None:
    allowed = contact_reader_roles(case)
    for role in roles.ROLES:
        if role in allowed and role in roles.user_roles(user):
            if scopes.role_covers(role, user, case):
                return role
    return None
