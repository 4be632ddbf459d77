"""Staff roles (Django groups) and which role may take which transition."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext
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
# Who else an event can name as its actor's role.
ACTOR_LABELS = {
    **ROLE_LABELS,
    "citizen": _("Citizen"),
    "system": _("System"),
    "admin": _("Administrator"),
}


def role_label(role: str) -> str:
    """A role recorded on an event, in the active language; never a raw code."""
    label = ACTOR_LABELS.get(role)
    return str(label) if label is not None else gettext("Other role")


# Which roles may take each transition (scope and per-transition conditions come on top).
TRANSITION_ROLES: dict[str, frozenset[str]] = {
    "assign": frozenset({CLERK, OFFICER}),
    "notify_contractor": frozenset({OFFICER}),
    "report_repaired": frozenset({CONTRACTOR}),
    "verify": frozenset({INSPECTOR}),
    "return_for_rework": frozenset({INSPECTOR}),
    "reject": frozenset({CLERK, OFFICER}),
    "reopen": frozenset({CLERK, OFFICER, INVESTIGATOR}),
    # A corruption report's lifecycle: the region's anti-corruption investigators only.
    "review_start": frozenset({INVESTIGATOR}),
    "refer": frozenset({INVESTIGATOR}),
    "answer": frozenset({INVESTIGATOR}),
    # Department officers for a repair; investigators for the corruption report they review.
    "extend_deadline": frozenset({OFFICER, INVESTIGATOR}),
}

# Roles that may read complainant contact data in their scope: those that call citizens back,
# and investigators (each reveal still needs a real reason and is logged).
CONTACT_READER_ROLES = frozenset({CLERK, OFFICER, INVESTIGATOR})
# Who reported corruption is known to the region's anti-corruption investigators only: telling
# anyone else is a crime (Article 424 of the Criminal Code).
CORRUPTION_REPORTER_READER_ROLES = frozenset({INVESTIGATOR})


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
