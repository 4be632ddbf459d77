"""Moving today's `casework.Official`, `District.akim` and `Department.head` onto people, posts
and occupancies (data migration 0002 runs `posts_from_officials`; tests run it on crafted rows).

Every official becomes a `Person` (name, e-mail, user, and a link back to the official); every
district with an akim gets an akim's post held by that person, every department with a head a
head's post. The old fields stay as they were (nothing is deleted), so running it again finds
what it made and adds only what is new.

What the old rows do not say is not invented: an occupancy starts on the day the official was
first recorded (their oldest history row; else the day of the migration) and names no appointing
order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from casework.deadlines import local_zone

AKIM_KINDS = {"city": "city_akim", "district": "district_akim"}


@dataclass
class Moved:
    people: int = 0
    positions: int = 0
    occupancies: int = 0


def _first_recorded(apps, official, fallback: dt.date) -> dt.date:
    history = apps.get_model("casework", "HistoricalOfficial")
    first = history.objects.filter(id=official.pk).order_by("history_date").first()
    if first is None:
        return fallback
    return first.history_date.astimezone(local_zone()).date()


def posts_from_officials(apps, *, today: dt.date) -> Moved:
    """Make people, posts and occupancies from the officials, akims and heads. `apps` is the
    migration's app registry (or `django.apps.apps`)."""
    Official = apps.get_model("casework", "Official")
    District = apps.get_model("casework", "District")
    Department = apps.get_model("casework", "Department")
    Person = apps.get_model("oversight", "Person")
    Position = apps.get_model("oversight", "Position")
    Occupancy = apps.get_model("oversight", "Occupancy")
    moved = Moved()
    people = {}
    for official in Official.objects.order_by("pk"):
        person = Person.objects.filter(official_id=official.pk).first()
        if person is None and official.user_id:
            # The official logs in and already has a person (one per user): that is them.
            person = Person.objects.filter(user_id=official.user_id, official__isnull=True).first()
            if person is not None:
                person.official_id = official.pk
                person.email = person.email or official.email
                person.save(update_fields=["official", "email"])
        if person is None:
            taken = official.user_id and Person.objects.filter(user_id=official.user_id).exists()
            person = Person.objects.create(
                full_name=official.full_name,
                email=official.email,
                user_id=None if taken else official.user_id,
                official_id=official.pk,
            )
            moved.people += 1
        people[official.pk] = person

    def occupy(position, official) -> None:
        person = people[official.pk]
        if Occupancy.objects.filter(person=person, position=position).exists():
            return
        Occupancy.objects.create(
            person=person,
            position=position,
            started_on=min(_first_recorded(apps, official, today), today),
        )
        moved.occupancies += 1

    for district in District.objects.filter(akim__isnull=False).select_related("akim"):
        kind = AKIM_KINDS.get(district.kind, "district_akim")
        position = Position.objects.filter(district=district, kind=kind).first()
        if position is None:
            position = Position.objects.create(
                kind=kind,
                title_kk=f"{district.name_kk} әкімі",
                title_ru=district.akim.position or f"Аким ({district.name_ru})",
                title_en=f"Akim of {district.name_en}",
                region_id=district.region_id,
                district=district,
            )
            moved.positions += 1
        occupy(position, district.akim)

    for department in Department.objects.filter(head__isnull=False).select_related(
        "head", "district"
    ):
        position = Position.objects.filter(department=department, kind="department_head").first()
        if position is None:
            position = Position.objects.create(
                kind="department_head",
                title_kk=f"{department.name_kk} басшысы",
                title_ru=department.head.position or f"Руководитель ({department.name_ru})",
                title_en=f"Head of {department.name_en}",
                region_id=department.district.region_id,
                district_id=department.district_id,
                department=department,
            )
            moved.positions += 1
        occupy(position, department.head)
    return moved
