"""A closed month's red flags never change: new evidence after the month's end that changes a
hit's money and score, and a dismissal after it, leave last month's figures and data hash as they
were; the running month sees both. Hits are stored the way the indicators store them
(`hits_store`), which dates every change of their figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone

from casework import clock
from casework.deadlines import local_zone
from oversight.models import RedFlagHit, RedFlagHitFigures
from oversight.red_flags.base import Found
from oversight.red_flags.queue import red_flag_dismiss
from oversight.red_flags.registry import INDICATORS
from oversight.red_flags.store import hits_store
from reports import monthly
from reports.documents import monthly_document
from reports.periods import Scope, period_for
from reports.sql import report_snapshot

pytestmark = pytest.mark.django_db


def _found(world, code: str, name: str, money: str, score: int, when: dt.datetime) -> Found:
    return Found(
        indicator=code,
        key=f"{code}:contractor:{world.contractor.pk}:{name}",
        subject_kind="contractor",
        subject_id=world.contractor.pk,
        subject_name=name,
        evidence=[{"kind": "contractor", "id": world.contractor.pk, "label": name}],
        money_kzt=Decimal(money),
        score=score,
        region_id=world.region_a.pk,
        district_id=world.a1.pk,
        contractor_id=world.contractor.pk,
        occurred_at=when,
    )


def _store(found: Found) -> RedFlagHit:
    hits_store(INDICATORS[found.indicator], [found], Q(key=found.key))
    return RedFlagHit.objects.get(key=found.key)


def _red_flags(scope, period) -> dict:
    with report_snapshot():
        data, _query = monthly.monthly_gather(scope, period)
    return data["red_flag_hits"]


def _data_hash(scope, period) -> str:
    return monthly_document(scope, period, language="en", moment=timezone.now()).data_sha256


def test_new_evidence_and_a_dismissal_after_the_end_leave_last_month_alone(world):
    now = timezone.now()
    this_month = now.astimezone(local_zone()).date().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    found_on = dt.datetime.combine(last_month.replace(day=10), dt.time(12), tzinfo=local_zone())
    with clock.frozen_at(found_on):
        failed = _store(_found(world, "accepted_work_failed", "Акт № 7", "49500", 80, found_on))
        photos = _store(_found(world, "photo_evidence", "Дело 12", "12000", 65, found_on))
    scope, closed = Scope(world.region_a), period_for(last_month, now=now)
    before, hash_before = _red_flags(scope, closed), _data_hash(scope, closed)
    assert {row["id"]: (row["money_kzt"], row["score"]) for row in before["worst"]} == {
        failed.pk: ("49500.00", 80),
        photos.pk: ("12000.00", 65),
    }

    # After the end: a second failure raises the act's money and score; the photos are dismissed.
    later = _found(world, "accepted_work_failed", "Акт № 7", "99000", 90, timezone.now())
    failed = _store(later)
    assert (failed.money_kzt, failed.score) == (Decimal("99000.00"), 90)
    assert RedFlagHitFigures.objects.filter(hit=failed).count() == 2
    red_flag_dismiss(photos, world.investigator, "Фото сделаны на месте, часы камеры сбиты.")

    assert _red_flags(scope, closed) == before
    assert _data_hash(scope, closed) == hash_before

    # The running month sees the new figures and not the dismissed hit.
    running = _red_flags(scope, period_for(this_month, now=timezone.now()))
    assert {row["id"]: (row["money_kzt"], row["score"]) for row in running["worst"]} == {
        failed.pk: ("99000.00", 90)
    }


def test_a_run_that_finds_the_same_figures_adds_no_row(world):
    found = _found(world, "contract_modified", "№ 5", "300000", 55, timezone.now())
    hit = _store(found)
    _store(found)
    assert list(RedFlagHitFigures.objects.filter(hit=hit).values_list("money_kzt", "score")) == [
        (Decimal("300000.00"), 55)
    ]
    with pytest.raises(PermissionError):
        RedFlagHitFigures.objects.filter(hit=hit).update(score=1)
