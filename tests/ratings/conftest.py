"""A test world for the ratings: posts held in a month that changed hands in the middle, cases
closed on known days, one of each thing a measure counts."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass

import pytest
from django.utils import timezone

from casework import clock, services
from casework.deadlines import local_zone
from casework.models import Case, CaseEvent
from casework.states import CaseState
from oversight.models import Occupancy, Person, Position
from oversight.services import act_sign
from ratings.models import Vote
from tests.oversight.conftest import deliver_all

_lat = itertools.count()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=local_zone())


def place() -> dict[str, str]:
    """A map point ~220 m from every other one of this test run."""
    return {"latitude": f"{50.1 + next(_lat) * 0.002:.6f}", "longitude": "57.167000"}


def post(kind: str, title: str, **where) -> Position:
    return Position.objects.create(
        kind=kind, title_kk=f"{title} kk", title_ru=f"{title} ru", title_en=title, **where
    )


def hold(name: str, position: Position, first: dt.date, last: dt.date | None = None) -> Person:
    person = Person.objects.create(full_name=name)
    Occupancy.objects.create(person=person, position=position, started_on=first, ended_on=last)
    return person


def vote(case: Case, result: int, answer: int) -> Vote:
    closing = CaseEvent.objects.filter(case=case, action__in=["verify", "reject"]).last()
    digest = hashlib.sha256(f"{case.pk}:{closing.pk}:{result}:{answer}".encode()).hexdigest()
    return Vote.objects.create(
        case=case,
        closing_event=closing,
        result_score=result,
        answer_score=answer,
        channel="web",
        prev_hash="0" * 64,
        hash=digest,
    )


@dataclass
class RatingsWorld:
    month_first: dt.date
    handover: dt.date  # Bolat's first day as head of dep_a1; Ahmet's last is the day before
    head_post: Position
    city_akim_post: Position
    region_a_post: Position
    region_b_post: Position
    ahmet: Person
    bolat: Person
    dana: Person
    erzhan: Person
    farida: Person
    cases: dict[str, Case]


def build(world) -> RatingsWorld:
    today = timezone.localdate()
    month_first = (today.replace(day=1) - dt.timedelta(days=40)).replace(day=1)
    handover = month_first + dt.timedelta(days=14)
    K = Position.Kind
    head_post = post(K.DEPARTMENT_HEAD, "Head of roads A1", department=world.dep_a1)
    city_akim_post = post(K.CITY_AKIM, "Akim of A1", district=world.a1)
    region_a_post = post(K.REGION_AKIM, "Akim of region A", region=world.region_a)
    region_b_post = post(K.REGION_AKIM, "Akim of region B", region=world.region_b)
    long_ago = month_first - dt.timedelta(days=400)
    ahmet = hold("Ахмет Ахметов", head_post, long_ago, handover - dt.timedelta(days=1))
    bolat = hold("Болат Болатов", head_post, handover)
    dana = hold("Дана Данова", city_akim_post, long_ago)
    erzhan = hold("Ержан Ержанов", region_a_post, long_ago)
    farida = hold("Фарида Фаридова", region_b_post, long_ago)

    cases: dict[str, Case] = {}

    def opened(name: str, day: dt.date, **kw) -> Case:
        with clock.frozen_at(at(day, 9)):
            cases[name] = world.case(**place(), **kw)
        return cases[name]

    def drive(name: str, day: dt.date, target: str) -> None:
        with clock.frozen_at(at(day)):
            cases[name] = world.advance(cases[name], target)

    d = month_first
    opened("on_time", d + dt.timedelta(days=1))
    drive("on_time", d + dt.timedelta(days=3), CaseState.VERIFIED)
    opened("late", d - dt.timedelta(days=40))
    drive("late", d + dt.timedelta(days=5), CaseState.VERIFIED)
    opened("rejected", d + dt.timedelta(days=10))
    drive("rejected", handover + dt.timedelta(days=5), CaseState.REJECTED)
    opened("reopened", handover)
    drive("reopened", handover + dt.timedelta(days=2), CaseState.VERIFIED)
    with clock.frozen_at(at(handover + dt.timedelta(days=3))):
        services.case_reopen(cases["reopened"], actor=world.clerk, reason="Яма снова открылась.")
    opened("accepted", handover - dt.timedelta(days=3))
    drive("accepted", handover + dt.timedelta(days=1), CaseState.REPAIRED)
    with clock.frozen_at(at(handover + dt.timedelta(days=1), 15)):
        act_sign(
            cases["accepted"], actor=world.inspector, quantity="2", unit="m2", amount_kzt="9000"
        )
    # A new complaint at the accepted repair's place: a warranty claim and a repeat complaint.
    with clock.frozen_at(at(handover + dt.timedelta(days=4), 9)):
        cases["again"] = world.case(
            latitude=str(cases["accepted"].latitude), longitude=str(cases["accepted"].longitude)
        )
    opened("overdue", d - dt.timedelta(days=60))
    drive("overdue", d - dt.timedelta(days=59), CaseState.ASSIGNED)
    opened("corruption", d + dt.timedelta(days=2), category=world.corruption)
    drive("corruption", d + dt.timedelta(days=4), CaseState.ANSWERED)
    opened("region_b", d + dt.timedelta(days=2), district=world.b1)
    clerk_b1 = world.user("clerk", name="clerk_b1", district=world.b1)
    with clock.frozen_at(at(d + dt.timedelta(days=6))):
        services.case_reject(
            cases["region_b"], actor=clerk_b1, reason_code="spam", reason="Реклама."
        )
    deliver_all()
    vote(Case.objects.get(pk=cases["on_time"].pk), 4, 5)
    vote(Case.objects.get(pk=cases["rejected"].pk), 2, 1)
    return RatingsWorld(
        month_first,
        handover,
        head_post,
        city_akim_post,
        region_a_post,
        region_b_post,
        ahmet,
        bolat,
        dana,
        erzhan,
        farida,
        {k: Case.objects.get(pk=v.pk) for k, v in cases.items()},
    )


@pytest.fixture
def rw(db, world) -> RatingsWorld:
    return build(world)
