"""The person behind a staff user."""

from __future__ import annotations

from oversight.models import Person


def person_for_user(user) -> Person:
    """The person record of a user, made from the user's name when there is none yet: a decision
    or a signature is never left without a person."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = Person.objects.create(
            full_name=user.get_full_name() or user.get_username(), email=user.email, user=user
        )
    return person
