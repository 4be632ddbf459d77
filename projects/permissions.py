"""Who may edit a project: the managers of its region and the officers of its department."""

from __future__ import annotations

from django.db.models import Q

from casework import roles


def _profile(user):
    return getattr(user, "staff_profile", None)


def may_edit(user, *, region_id: int | None, department_id: int | None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    profile = _profile(user)
    if profile is None:
        return False
    held = roles.user_roles(user)
    if roles.MANAGER in held and profile.region_id and profile.region_id == region_id:
        return True
    return bool(
        roles.OFFICER in held and profile.department_id and profile.department_id == department_id
    )


def may_edit_project(user, project) -> bool:
    return may_edit(user, region_id=project.region_id, department_id=project.department_id)


def may_use_staff_pages(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(roles.user_roles(user) & {roles.MANAGER, roles.OFFICER})


def editable_projects_q(user) -> Q:
    """The projects `user` may edit, as a filter."""
    if user.is_superuser:
        return Q()
    profile = _profile(user)
    held = roles.user_roles(user)
    q = Q(pk__in=[])
    if profile is not None and roles.MANAGER in held and profile.region_id:
        q |= Q(region_id=profile.region_id)
    if profile is not None and roles.OFFICER in held and profile.department_id:
        q |= Q(department_id=profile.department_id)
    return q
