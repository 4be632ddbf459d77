import datetime as dt

import pytest
from django.utils import timezone

from casework import outbox
from casework.states import CaseState
from oversight.models import Occupancy, Person, Position
from oversight.services import act_sign


def deliver_all() -> int:
    """Run every due outbox job here, as the relay and a worker would, until none is left."""
    total = 0
    for _ in range(10):
        ran = outbox.relay(inline=True)
        total += ran
        if not ran:
            break
    return total


def post(kind: str, *, title: str, **where) -> Position:
    return Position.objects.create(
        kind=kind, title_kk=f"{title} (kk)", title_ru=f"{title} (ru)", title_en=title, **where
    )


def appoint(person: Person, position: Position, started_on: dt.date, **kw) -> Occupancy:
    return Occupancy.objects.create(person=person, position=position, started_on=started_on, **kw)


class Posts:
    """People and posts for the test world's staff: the inspector, the head of dep_a1, the
    contractor's representative."""

    def __init__(self, world):
        since = timezone.localdate() - dt.timedelta(days=400)
        self.inspector = Person.objects.create(full_name="Марат Тілеуов", user=world.inspector)
        self.inspector_post = post(
            Position.Kind.INSPECTOR, title="Inspector", department=world.dep_a1
        )
        self.inspector_job = appoint(
            self.inspector, self.inspector_post, since, order_number="17-к"
        )
        self.head = Person.objects.create(full_name="Гүлнар Омарова", user=world.officer)
        self.head_post = post(
            Position.Kind.DEPARTMENT_HEAD, title="Head of roads", department=world.dep_a1
        )
        self.head_job = appoint(self.head, self.head_post, since)
        self.rep = Person.objects.create(full_name="Ерлан Жұмабаев", user=world.contractor_user)
        self.rep_post = post(
            Position.Kind.CONTRACTOR_REPRESENTATIVE,
            title="Site foreman",
            contractor=world.contractor,
        )
        self.rep_job = appoint(self.rep, self.rep_post, since)


@pytest.fixture
def posts(world) -> Posts:
    return Posts(world)


def accepted(world, case=None, *, amount="48500", **kw):
    """A case driven to `repaired`, then accepted with its act signed. Returns (case, act)."""
    case = world.advance(case or world.case(**kw), CaseState.REPAIRED)
    act = act_sign(case, actor=world.inspector, quantity="2.5", unit="m2", amount_kzt=amount)
    case.refresh_from_db()
    return case, act
