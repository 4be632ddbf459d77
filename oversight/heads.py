"""Who heads a department on a given day, answered for the layers below that cannot ask
oversight themselves (contractors' escalation e-mail): registered in `oversight.apps`."""

from __future__ import annotations

import datetime as dt

from oversight.selectors import department_head_on


def department_head_emails(department_id: int, on: dt.datetime) -> list[str]:
    """The addresses of whoever held the department's head post on `on`: the person's own and,
    while their account is active, their user's."""
    occupancy = department_head_on(department_id, on)
    if occupancy is None:
        return []
    person = occupancy.person
    found = [person.email]
    if person.user_id and person.user.is_active:
        found.append(person.user.email)
    return [email for email in dict.fromkeys(found) if email]
