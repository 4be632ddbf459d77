"""Who hears of what: the people of a queue, and who each escalation level reaches."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from casework import clock, roles
from casework.models import Case, Department, District, EscalationLevel, Region
from oversight.selectors import akim_on, department_head_on
from workflows.queues import in_queue, may_act_on

User = get_user_model()


@dataclass(frozen=True)
class Recipient:
    """An e-mail address, and the user behind it when there is one (for their language)."""

    email: str
    user_id: int | None = None


def _with_role(role: str, *, with_email: bool = True) -> QuerySet:
    users = User.objects.filter(groups__name=role, is_active=True)
    return (users.exclude(email="") if with_email else users).distinct()


def queue_members(task, *, with_email: bool = True) -> list:
    """Everyone who may take `task` from its queue now (with an e-mail address, unless
    `with_email` is False: the in-app notice needs none)."""
    role = task.owner_permission
    obj = task.owner_permission_obj
    users = _with_role(role, with_email=with_email)
    if role == roles.CLERK and isinstance(obj, District):
        candidates = users.filter(staff_profile__district=obj)
    elif role in (roles.OFFICER, roles.INSPECTOR) and isinstance(obj, Department):
        candidates = users.filter(staff_profile__department=obj)
    elif role == roles.INVESTIGATOR and isinstance(obj, Region):
        candidates = users.filter(staff_profile__region=obj)
    elif role == roles.CONTRACTOR and obj is not None:
        candidates = users.filter(contractor_membership__contractor_id=obj.pk)
    else:
        return []
    return [user for user in candidates if in_queue(user, task) and may_act_on(user, task)]


def _holder_addresses(occupancy) -> list[tuple[str, object]]:
    """The e-mail addresses of whoever holds a post today (their own, and their user's)."""
    if occupancy is None:
        return []
    person = occupancy.person
    user = person.user if person.user_id and person.user.is_active else None
    found = [(person.email, user)]
    if user is not None:
        found.append((user.email, user))
    return [(email, who) for email, who in found if email]


def escalation_recipients(case: Case, level: int, task) -> list[Recipient]:
    """Level 1: whoever holds the step (or its whole queue). Level 2: the head of the department
    and the district akim's office. Level 3: the region's anti-corruption investigators."""
    found: dict[str, Recipient] = {}

    def add(email: str, user=None) -> None:
        if email and email.lower() not in found:
            found[email.lower()] = Recipient(email, user.pk if user is not None else None)

    if level == EscalationLevel.REMINDER:
        if task is not None and task.owner_permission == roles.CONTRACTOR:
            pass  # the contractor's reminder is a work order notice (workflows.notifications)
        elif task is not None and task.owner_id is not None:
            add(task.owner.email, task.owner)
        elif task is not None:
            for user in queue_members(task):
                add(user.email, user)
    elif level == EscalationLevel.MANAGEMENT and case.category.corruption_report:
        # A corruption report is not the akimat's to hear of: its investigators are told.
        for user in _with_role(roles.INVESTIGATOR).filter(staff_profile__region=case.region_id):
            add(user.email, user)
    elif level == EscalationLevel.MANAGEMENT:
        # The head and the akim in post today (oversight's occupancies, not the old
        # Department.head / District.akim fields).
        today = clock.now()
        department = case.department
        if department is not None:
            for email, user in _holder_addresses(department_head_on(department.pk, today)):
                add(email, user)
            add(department.email)
        district = case.district
        for email, user in _holder_addresses(akim_on(district.pk, today)):
            add(email, user)
        add(district.akim_office_email)
    else:
        for user in _with_role(roles.INVESTIGATOR).filter(staff_profile__region=case.region_id):
            add(user.email, user)
    return list(found.values())
