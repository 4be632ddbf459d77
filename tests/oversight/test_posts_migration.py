"""Today's officials, district akims and department heads move onto people, posts and
occupancies without losing anything (`oversight.posts.posts_from_officials`, migration 0003)."""

import datetime as dt

import pytest
from django.apps import apps

from casework.models import Official
from oversight.models import Occupancy, Person, Position
from oversight.posts import posts_from_officials
from oversight.selectors import akim_on, department_head_on

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def officials(world):
    akim = Official.objects.create(
        full_name="Әлібек Сарыбаев", position="Аким города А1", email="akim@a1.kz"
    )
    head = Official.objects.create(
        full_name="Гүлмира Нұрова",
        position="Руководитель отдела дорог",
        email="",
        user=world.officer,
    )
    lonely = Official.objects.create(full_name="Без Должности", position="Советник")
    world.a1.akim = akim
    world.a1.save()
    world.a2.akim = akim  # one person, akim of two districts: two posts
    world.a2.save()
    world.dep_a1.head = head
    world.dep_a1.save()
    return akim, head, lonely


def test_every_official_becomes_a_person_with_the_posts_they_hold(world, officials):
    akim, head, lonely = officials
    moved = posts_from_officials(apps, today=TODAY)
    assert (moved.people, moved.positions, moved.occupancies) == (3, 3, 3)
    person = Person.objects.get(official=akim)
    assert (person.full_name, person.email, person.user) == (akim.full_name, akim.email, None)
    assert Person.objects.get(official=head).user == world.officer
    assert Person.objects.get(official=lonely).full_name == "Без Должности"
    city = akim_on(world.a1.pk, TODAY)
    assert city.person == person and city.position.kind == Position.Kind.CITY_AKIM
    assert city.position.title_ru == "Аким города А1"  # the official's own wording kept
    assert city.position.region == world.region_a
    district = akim_on(world.a2.pk, TODAY)
    assert district.person == person and district.position.kind == Position.Kind.DISTRICT_AKIM
    held = department_head_on(world.dep_a1.pk, TODAY)
    assert held.person.official == head and held.position.department == world.dep_a1
    assert held.position.title_ru == "Руководитель отдела дорог"
    assert held.ended_on is None and held.started_on <= TODAY
    # Nothing was taken away from the old rows.
    world.a1.refresh_from_db()
    world.dep_a1.refresh_from_db()
    assert world.a1.akim == akim and world.dep_a1.head == head
    assert Official.objects.count() == 3


def test_running_it_again_adds_only_what_is_new(world, officials):
    posts_from_officials(apps, today=TODAY)
    assert posts_from_officials(apps, today=TODAY).occupancies == 0
    newcomer = Official.objects.create(full_name="Жаңа Басшы", position="Руководитель")
    world.dep_a2.head = newcomer
    world.dep_a2.save()
    again = posts_from_officials(apps, today=TODAY)
    assert (again.people, again.positions, again.occupancies) == (1, 1, 1)
    assert Occupancy.objects.count() == 4


def test_an_official_who_already_has_a_person_through_their_user_is_that_person(world, officials):
    _akim, head, _lonely = officials
    existing = Person.objects.create(full_name="Гүлмира Нұрова", user=world.officer)
    moved = posts_from_officials(apps, today=TODAY)
    assert moved.people == 2
    assert Person.objects.get(official=head) == existing
    assert department_head_on(world.dep_a1.pk, TODAY).person == existing
