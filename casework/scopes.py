"""Who may see which cases: one scope per role, combined for users with several roles.

Apps above casework add scopes for their own roles with `register_scope` (the contractors app
registers the contractor's), so that casework never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from casework import roles

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    # Filter on Case rows the role may read.
    cases: Callable[[object], Q]
    # Whether one case is in the role's scope (no query where the fields suffice).
    covers: Callable[[object, object], bool]


def _profile(user):
    return getattr(user, "staff_profile", None)


def _field_scope(case_field: str, profile_field: str) -> Scope:
    def cases(user) -> Q:
        profile = _profile(user)
        value = getattr(profile, profile_field + "_id", None) if profile else None
        return Q(**{case_field + "_id": value}) if value else NOTHING

    def covers(user, case) -> bool:
        profile = _profile(user)
        value = getattr(profile, profile_field + "_id", None) if profile else None
        return bool(value) and getattr(case, case_field + "_id") == value

    return Scope(cases, covers)


_scopes: dict[str, Scope] = {
    roles.CLERK: _field_scope("district", "district"),
    roles.OFFICER: _field_scope("department", "department"),
    roles.INSPECTOR: _field_scope("department", "department"),
    roles.INVESTIGATOR: _field_scope("region", "region"),
    roles.MANAGER: _field_scope("region", "region"),
}


def register_scope(role: str, scope: Scope) -> None:
    _scopes[role] = scope


def scope_for(role: str) -> Scope | None:
    return _scopes.get(role)


def cases_filter(user) -> Q:
    if getattr(user, "is_superuser", False):
        return Q()
    combined = NOTHING
    for role in roles.user_roles(user):
        scope = _scopes.get(role)
        if scope is not None:
            combined |= scope.cases(user)
    return combined


def role_covers(role: str, user, case) -> bool:
    scope = _scopes.get(role)
    return scope is not None and scope.covers(user, case)
