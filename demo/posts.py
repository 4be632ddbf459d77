"""Who holds which post in the demo: every demo staff member and contractor's user has a post
(inspectors, officers, clerks, contractors' representatives), the akims and department heads come
from the demo officials through the same function as the data migration, and each region has an
akim. Taraz's inspector moved to deputy head of the department 30 days ago, so decisions before
and after show different posts for the same person. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.apps import apps

from casework import roles
from oversight.models import Occupancy, Person, Position
from oversight.posts import posts_from_officials

REGION_AKIMS = {
    "AQT": (
        "Оразов Ержан",
        "Ақтөбе облысының әкімі",
        "Аким Актюбинской области",
        "Akim of Aktobe region",
    ),
    "ZHA": (
        "Сейітов Бақыт",
        "Жамбыл облысының әкімі",
        "Аким Жамбылской области",
        "Akim of Zhambyl region",
    ),
}


def _person(user) -> Person:
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = Person.objects.create(
            full_name=f"{user.last_name} {user.first_name}".strip() or user.username,
            email=user.email,
            user=user,
        )
    return person


def _post(kind: str, titles: tuple[str, str, str], **where) -> Position:
    kk, ru, en = titles
    position = Position.objects.filter(kind=kind, title_ru=ru, **where).first()
    if position is None:
        position = Position.objects.create(
            kind=kind, title_kk=kk, title_ru=ru, title_en=en, **where
        )
    return position


def _occupy(person, position, started_on, *, ended_on=None, order="") -> Occupancy:
    occupancy, _ = Occupancy.objects.get_or_create(
        person=person,
        position=position,
        started_on=started_on,
        defaults={
            "ended_on": ended_on,
            "order_number": order,
            "order_date": started_on - dt.timedelta(days=3) if order else None,
        },
    )
    return occupancy


def _staff_post(user) -> Position | None:
    user_roles = roles.user_roles(user)
    profile = getattr(user, "staff_profile", None)
    if roles.INSPECTOR in user_roles and profile and profile.department:
        d = profile.department
        return _post(
            Position.Kind.INSPECTOR,
            (
                f"{d.name_kk}: инспектор",
                f"Инспектор технадзора: {d.name_ru}",
                f"Inspector, {d.name_en}",
            ),
            department=d,
        )
    if roles.OFFICER in user_roles and profile and profile.department:
        d = profile.department
        return _post(
            Position.Kind.OFFICER,
            (
                f"{d.name_kk}: бас маман",
                f"Главный специалист: {d.name_ru}",
                f"Chief specialist, {d.name_en}",
            ),
            department=d,
        )
    if roles.CLERK in user_roles and profile and profile.district:
        d = profile.district
        return _post(
            Position.Kind.CLERK,
            (
                f"{d.name_kk} әкімдігінің маманы",
                f"Специалист акимата: {d.name_ru}",
                f"Akimat clerk, {d.name_en}",
            ),
            district=d,
        )
    member = getattr(user, "contractor_membership", None)
    if roles.CONTRACTOR in user_roles and member is not None:
        c = member.contractor
        return _post(
            Position.Kind.CONTRACTOR_REPRESENTATIVE,
            (
                f"{c.legal_name}: өкіл",
                f"Представитель подрядчика: {c.legal_name}",
                f"Contractor's representative, {c.legal_name}",
            ),
            contractor=c,
        )
    return None


def posts_seed(world, today: dt.date) -> int:
    """Make the demo's people, posts and occupancies. Returns how many occupancies exist."""
    since = today.replace(year=today.year - 1)
    posts_from_officials(apps, today=since)
    for code, (name, kk, ru, en) in REGION_AKIMS.items():
        person = Person.objects.filter(full_name=name).first() or Person.objects.create(
            full_name=name
        )
        post = _post(Position.Kind.REGION_AKIM, (kk, ru, en), region=world.regions[code])
        _occupy(person, post, since, order=f"Указ № {120 + len(code)}")
    moved = world.users.get("inspector.taraz")
    for user in world.users.values():
        post = _staff_post(user)
        if post is None:
            continue
        person = _person(user)
        if user == moved:
            # Inspector until 31 days ago, deputy head of the department since.
            until = today - dt.timedelta(days=31)
            _occupy(person, post, since, ended_on=until, order="12-к")
            d = post.department
            deputy = _post(
                Position.Kind.DEPARTMENT_HEAD,
                (
                    f"{d.name_kk}: басшының орынбасары",
                    f"Заместитель руководителя: {d.name_ru}",
                    f"Deputy head, {d.name_en}",
                ),
                department=d,
            )
            _occupy(person, deputy, until + dt.timedelta(days=1), order="47-к")
        else:
            _occupy(person, post, since, order=f"{10 + user.pk}-к")
    return Occupancy.objects.count()
