"""Staff roles (Django groups) and which role may take which transition."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

CLERK = "clerk"
OFFICER = "officer"
INSPECTOR = "inspector"
CONTRACTOR = "contractor"
INVESTIGATOR = "investigator"
MANAGER = "manager"
ROLES: tuple[str, ...] = (CLERK, OFFICER, INSPECTOR, CONTRACTOR, INVESTIGATOR, MANAGER)
ROLE_LABELS = {
    CLERK: _("Clerk"),
    OFFICER: _("Department officer"),
    INSPECTOR: _("Inspector"),
    CONTRACTOR: _("Contractor"),
    INVESTIGATOR: _("Anti-corruption investigator"),
    MANAGER: _("Manager"),
}

# Which roles may take each transition (scope and per-transition conditions come on top).
TRANSITION_ROLES: dict[str, frozenset[str]] = {
    "assign": frozenset({CLERK, OFFICER}),
    "notify_contractor": frozenset({OFFICER}),
    "report_repaired": frozenset({CONTRACTOR}),
    "verify": frozenset({INSPECTOR}),
    "return_for_rework": frozenset({INSPECTOR}),
    "reject": frozenset({CLERK, OFFICER}),
    "reopen": frozenset({CLERK, OFFICER, INVESTIGATOR}),
    "extend_deadline": frozenset({OFFICER}),
}

# Roles that may read complainant contact data (each reveal still needs a reason and is logged).
CONTACT_READER_ROLES = frozenset({CLERK, OFFICER, INVESTIGATOR})


def user_roles(user) -> frozenset[str]:
    """The staff roles of a user, cached on the user object for the request."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_baqylau_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._baqylau_roles = cached
    return cached


def primary_role(user) -> str:
    """One role to record on an audit event; the most specific the user holds."""
    roles = user_roles(user)
    for role in ROLES:
        if role in roles:
            return role
    if getattr(user, "is_superuser", False):
        return "admin"
    return "system" if user is None else "none"
