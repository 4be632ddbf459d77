"""A month of red-flag hits, inquiries and sanctions (March 2025, as in `month_data`): hits that
stand at the month's end, one dismissed in the month, one dismissed after it, one found only
after it, one of region B; an inquiry closed with sanctions (one publishable, one not), one still
open, one of region B."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from oversight.models import Inquiry, Person, Position, RedFlagDecision, RedFlagHit, Sanction
from tests.oversight.conftest import appoint, post
from tests.reports.month_data import at

_keys = itertools.count(1)


def hit(
    world,
    indicator: str,
    name: str,
    money: str,
    score: int,
    occurred: dt.datetime | None,
    *,
    found: dt.datetime | None = None,
    region=None,
) -> RedFlagHit:
    found = found or (occurred + dt.timedelta(hours=2) if occurred else at(3, 1))
    region = region or world.region_a
    return RedFlagHit.objects.create(
        indicator=indicator,
        key=f"{indicator}:test:{next(_keys)}",
        subject_kind=RedFlagHit.SubjectKind.CONTRACTOR,
        subject_id=world.contractor.pk,
        subject_name=name,
        money_kzt=Decimal(money),
        score=score,
        region=region,
        district=world.a1 if region == world.region_a else world.b1,
        contractor=world.contractor,
        occurred_at=occurred,
        first_found_at=found,
        last_found_at=found,
    )


def hit_dismiss(hit_row: RedFlagHit, when: dt.datetime, user) -> None:
    RedFlagDecision.objects.create(
        hit=hit_row,
        action=RedFlagDecision.Action.DISMISSED,
        decided_by=user,
        decided_at=when,
        reason="Ложное срабатывание: работы приняты по другому акту.",
    )
    hit_row.status = RedFlagHit.Status.DISMISSED
    hit_row.dismissed_at = when
    hit_row.dismissed_by = user
    hit_row.dismissal_reason = "Ложное срабатывание"
    hit_row.save()


def inquiry(world, number: str, opened: dt.datetime, region=None) -> Inquiry:
    return Inquiry.objects.create(
        number=number,
        region=region or world.region_a,
        allegations="Приёмка ремонта без выезда на место.",
        opened_by=world.investigator,
        opened_at=opened,
        supervisor=world.manager,
        due_at=opened + dt.timedelta(days=30),
    )


def inquiry_close(row: Inquiry, when: dt.datetime, outcome: str) -> None:
    row.status = Inquiry.Status.CLOSED
    row.outcome = outcome
    row.closed_at = when
    row.save()


def sanction(world, row: Inquiry, kind: str, status: str, when: dt.datetime, **kw) -> Sanction:
    imposed = status == Sanction.Status.IMPOSED
    return Sanction.objects.create(
        inquiry=row,
        kind=kind,
        legal_basis="Закон РК «О государственной службе», ст. 50",
        order_number="45-к" if imposed else "",
        order_date=when.date() if imposed else None,
        status=status,
        proposed_by=world.investigator,
        proposed_at=when - dt.timedelta(days=2),
        status_changed_at=when,
        **kw,
    )


@dataclass
class AccountabilityMonth:
    hits: dict[str, RedFlagHit] = field(default_factory=dict)
    inquiries: dict[str, Inquiry] = field(default_factory=dict)
    sanctions: dict[str, Sanction] = field(default_factory=dict)
    inspector: Person | None = None
    inspector_post: Position | None = None


LONG_NAME = (
    "Акт № 7 от 10.03.2025: ямочный ремонт вокруг люков, ул. Төле би 12 — "
    "Марат Тілеуов, главный инспектор отдела строительства и дорог"
)


def seed_accountability(world) -> AccountabilityMonth:
    m = AccountabilityMonth()
    h = m.hits
    h["failed"] = hit(world, "accepted_work_failed", LONG_NAME, "48500", 90, at(3, 10))
    h["failed2"] = hit(
        world, "accepted_work_failed", "Акт № 12 — Марат Тілеуов", "20000", 90, at(3, 12)
    )
    h["photo"] = hit(world, "photo_evidence", "Дело № 21 (фото до наряда)", "12000", 70, at(3, 5))
    h["photo_small"] = hit(
        world, "photo_evidence", "Дело № 22 (фото без места)", "700", 30, at(3, 3)
    )
    # Facts of February, still open at the end of March: among the worst, not in March's counts.
    h["late_old"] = hit(
        world,
        "late_contractor_new_orders",
        "Подрядчик опаздывает: ТОО «Тест Жол»",
        "900000",
        40,
        at(2, 10),
    )
    # Dismissed in March: the month does not count it.
    h["stamp_dismissed"] = hit(
        world, "rubber_stamp", "Акт № 15 — принят без осмотра", "5000", 95, at(3, 20)
    )
    hit_dismiss(h["stamp_dismissed"], at(3, 25), world.investigator)
    # Dismissed only in April: March counts it as it stood at its end.
    h["split"] = hit(
        world, "contract_splitting", "Дробление: 3 договора ТОО «Тест Жол»", "300000", 60, at(3, 15)
    )
    # Facts of March, found only in April: not in March.
    h["found_late"] = hit(
        world, "contract_modified", "Договор № 9 увеличен", "77000", 80, at(3, 28), found=at(4, 2)
    )
    # Region B: not in region A's report.
    h["other_region"] = hit(
        world,
        "deadline_extended_twice",
        "Дело ZHA-2025-000001",
        "999999",
        99,
        at(3, 8),
        region=world.region_b,
    )

    m.inspector = Person.objects.create(full_name="Марат Тілеуов", user=world.inspector)
    m.inspector_post = post(Position.Kind.INSPECTOR, title="Inspector", department=world.dep_a1)
    appoint(m.inspector, m.inspector_post, dt.date(2024, 1, 1), order_number="17-к")

    i = m.inquiries
    i["closed"] = inquiry(world, "INQ-2025-0001", at(3, 5))
    i["open"] = inquiry(world, "INQ-2025-0002", at(2, 20))
    i["march_open"] = inquiry(world, "INQ-2025-0003", at(3, 18))
    i["other_region"] = inquiry(world, "INQ-2025-0004", at(3, 6), region=world.region_b)
    inquiry_close(i["closed"], at(3, 25), Inquiry.Outcome.SANCTIONS)
    inquiry_close(i["other_region"], at(3, 26), Inquiry.Outcome.NO_VIOLATION)

    s = m.sanctions
    kind, status = Sanction.Kind, Sanction.Status
    s["published"] = sanction(
        world,
        i["closed"],
        kind.REPRIMAND,
        status.IMPOSED,
        at(3, 24),
        person=m.inspector,
        publishable=True,
    )
    s["unpublished"] = sanction(
        world,
        i["closed"],
        kind.REMARK,
        status.IMPOSED,
        at(3, 24),
        person=m.inspector,
        publishable=False,
    )
    s["contractor"] = sanction(
        world,
        i["closed"],
        kind.FINE,
        status.IMPOSED,
        at(3, 24),
        contractor=world.contractor,
        publishable=False,
    )
    s["proposed"] = sanction(
        world, i["closed"], kind.DISMISSAL, status.PROPOSED, at(3, 24), person=m.inspector
    )
    s["april"] = sanction(
        world, i["open"], kind.SEVERE_REPRIMAND, status.IMPOSED, at(4, 3), person=m.inspector
    )
    s["other_region"] = sanction(
        world,
        i["other_region"],
        kind.REMARK,
        status.IMPOSED,
        at(3, 26),
        person=m.inspector,
        publishable=True,
    )
    return m
