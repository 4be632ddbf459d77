"""Who hears of what: the people of a queue, and who each escalation level reaches."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from casework import roles
from casework.models import Case, Department, District, EscalationLevel
from workflows.queues import in_queue, may_act_on

User = get_user_model()


@dataclass(frozen=True)
class Recipient:
    """An e-mail address, and the user behind it when there is one (for their language)."""

    email: str
    user_id: int | None = None


def _with_role(role: str) -> QuerySet:
    return User.objects.filter(groups__name=role, is_active=True).exclude(email="").distinct()


def queue_members(task) -> list:
    """Everyone who may take `task` from its queue now."""
    role = task.owner_permission
    obj = task.owner_permission_obj
    if role == roles.CLERK and isinstance(obj, District):
        candidates = _with_role(role).filter(staff_profile__district=obj)
    elif role in (roles.OFFICER, roles.INSPECTOR) and isinstance(obj, Department):
        candidates = _with_role(role).filter(staff_profile__department=obj)
    elif role == roles.CONTRACTOR and obj is not None:
        candidates = _with_role(role).filter(contractor_membership__contractor_id=obj.pk)
    else:
        return []
    return [user for user in candidates if in_queue(user, task) and may_act_on(user, task)]


def _official_addresses(official) -> list[str]:
    if official is None:
        return []
    emails = [official.email]
    if official.user_id and official.user.is_active:
        emails.append(official.user.email)
    return [e for e in emails if e]


def escalation_recipients(case: Case, level: int, task) -> list[Recipient]:
    """Level 1: whoever holds the step (or its whole queue). Level 2: the head of the department
    and the district akim's office. Level 3: the region's anti-corruption investigators."""
    found: dict[str, Recipient] = {}

    def add(email: str, user=None) -> None:
        if email and email.lower() not in found:
            found[email.lower()] = Recipient(email, user.pk if user is not None else None)

    if level == EscalationLevel.REMINDER:
        if task is not None and task.owner_id is not None:
            add(task.owner.email, task.owner)
        elif task is not None:
            for user in queue_members(task):
                add(user.email, user)
    elif level == EscalationLevel.MANAGEMENT:
        department = case.department
        if department is not None:
            for email in _official_addresses(department.head):
                add(email, department.head.user if department.head.user_id else None)
            add(department.email)
        district = case.district
        for email in _official_addresses(district.akim):
            add(email, district.akim.user if district.akim.user_id else None)
        add(district.akim_office_email)
    else:
        for user in _with_role(roles.INVESTIGATOR).filter(staff_profile__region=case.region_id):
            add(user.email, user)
    return list(found.values())
