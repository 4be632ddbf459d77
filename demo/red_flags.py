"""Demo histories that the red-flag indicators are there to catch, made through the same services
as every other demo case, so that the nightly pass finds them as it would in a real region:

- `rejected_at_deadline`: the deadline extended twice, the case rejected on its last working day,
  the rejection overturned on appeal (three indicators on one case);
- `accepted_in_minutes`: a repair reported with a doubtful photo, accepted minutes later without
  an inspection photo, disputed by the citizen weeks later (photo evidence, rubber stamp,
  accepted work failed);
- `district_orders`: the districts' departments keep ordering from contractors that are late on
  an order they never did, and their inspectors each accept one such repair;
- `split_contracts` and `modified_contracts`: small contracts signed in runs just under the
  tender threshold, some raised or extended after signing (`contract_modify`);
- `close_pairs`: over the past year the rural districts' inspectors accept the district road
  firms' repairs, one act for most inspector-firm pairs, while some inspectors keep accepting one
  firm's work (inspector-contractor affinity).

Each takes the demo world, a random generator and the seeding moment; the cases count towards
`--cases`."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model

from casework import clock, services
from casework.models import Case, CategoryRouting
from contractors.models import Contract
from contractors.selectors import current_work_order
from contractors.services import (
    contract_modify,
    work_order_acknowledge,
    work_order_issue,
    work_order_report_repair,
)
from demo import data, seed
from oversight.red_flags.splitting import DEFAULT_THRESHOLD_KZT
from oversight.services import act_sign

DOUBTFUL = ("taken_before_order", "far_from_site", "no_metadata", "same_as_before")


def _open(world, rng: random.Random, district_code: str, category_code: str, received):
    """A complaint from the district's centre, received at `received`."""
    district, category = world.districts[district_code], world.categories[category_code]
    centre = seed.district_centre(district_code)
    street = rng.choice(data.STREETS["ZHA" if district_code.startswith("ZHA") else "AQT"])[0]
    house = rng.randrange(1, 140)
    title, text, _kk_title, _kk_text = rng.choice(data.COMPLAINTS[category_code])
    return services.case_open(
        title=title,
        description=text.format(street=street, house=house),
        category=category,
        district=district,
        channel=rng.choice(["whatsapp", "telegram", "web"]),
        latitude=round(centre[0] + rng.uniform(-0.03, 0.03), 6),
        longitude=round(centre[1] + rng.uniform(-0.04, 0.04), 6),
        address=f"{street}, {house}",
        complainant={
            "name": seed.fictional_name(f"{district_code}{received}", "citizen"),
            "phone": f"+7 701 {rng.randrange(100, 999)} {rng.randrange(10, 99)} 11",
            "language": "ru",
        },
        received_at=received,
    )


def _staff(district_code: str) -> tuple[str, str, str]:
    names = {
        "AQT-CITY": ("clerk.aktobe", "officer.aktobe", "inspector.aktobe"),
        "AQT-ALGA": ("clerk.alga", "officer.alga", "inspector.alga"),
        "ZHA-TARAZ": ("clerk.taraz", "officer.taraz", "inspector.taraz"),
    }
    if district_code in names:
        return names[district_code]
    slug = district_code.split("-", 1)[1].lower()
    return f"clerk.{slug}", f"officer.{slug}", f"inspector.{slug}"


def rejected_at_deadline(world, rng: random.Random, now: dt.datetime, count: int) -> int:
    """Cases kept open by two extensions, rejected on the last working day of the extended
    deadline, then reopened on the citizen's appeal. Returns the number of cases made."""
    districts = ["AQT-CITY", "AQT-ALGA", "ZHA-TARAZ"]
    for index in range(count):
        district_code = districts[index % len(districts)]
        clerk_name, officer_name, _inspector = _staff(district_code)
        clerk, officer = world.users[clerk_name], world.users[officer_name]
        received = seed.working_moment(rng, now - dt.timedelta(days=rng.uniform(62, 150)), 0, 1)
        case = _open(world, rng, district_code, rng.choice(["pothole", "sidewalk"]), received)
        department = CategoryRouting.objects.get(
            district=case.district, category=case.category
        ).department
        moment = seed.working_moment(rng, received, 2, 20)
        with clock.frozen_at(moment):
            services.case_assign(case, actor=clerk, department=department)
        cap = received + dt.timedelta(days=55)
        for days in (13, 26):
            moment = seed.working_moment(rng, moment, 24, 24 * 5)
            case.refresh_from_db()
            new_due = seed.working_moment(
                rng, min(case.due_at + dt.timedelta(days=days), cap), 0, 0
            )
            new_due = min(max(new_due, case.due_at + dt.timedelta(hours=1)), cap)
            with clock.frozen_at(moment):
                services.case_extend_deadline(
                    case,
                    actor=officer,
                    decision=rng.choice(data.EXTENSION_TEXTS),
                    new_due_at=new_due,
                )
        case.refresh_from_db()
        # Rejected in the last hours of the extended deadline's working day.
        rejected = case.due_at - dt.timedelta(minutes=rng.randrange(20, 180))
        with clock.frozen_at(rejected):
            services.case_reject(
                case,
                actor=officer,
                reason_code="no_violation",
                reason=data.REJECT_TEXTS["no_violation"][0],
            )
        appealed = seed.working_moment(rng, rejected, 24, 24 * 6)
        if appealed < now - dt.timedelta(minutes=5):
            with clock.frozen_at(appealed):
                services.case_reopen(
                    case,
                    actor=clerk,
                    kind="appeal",
                    reason="Заявитель обжаловал отказ: яма на месте, приложены новые фото.",
                )
        seed.escalate_until(min(appealed, now))
    return count


def _doubtful_photos(world, rng: random.Random, case: Case, when, trick: str) -> dict:
    order = current_work_order(case)
    if trick == "taken_before_order":
        taken = order.issued_at - dt.timedelta(days=rng.randrange(3, 30))
        before = seed.photo(rng, "before", taken_at=taken, point=seed.near(rng, case, 8))
    elif trick == "far_from_site":
        far = seed.near(rng, case, rng.uniform(800, 4000))
        before = seed.photo(rng, "before", taken_at=when - dt.timedelta(hours=3), point=far)
    else:
        # No time and no place: sent through a messenger that strips them.
        before = seed.photo(rng, "before")
    after = seed.photo(
        rng, "after", taken_at=when - dt.timedelta(minutes=30), point=seed.near(rng, case, 5)
    )
    if trick == "same_as_before":
        before = seed.photo(
            rng, "before", taken_at=when - dt.timedelta(hours=2), point=seed.near(rng, case, 5)
        )
        after = seed.uploaded("after.jpg", before.read())
        before.seek(0)
    return {"before": [before], "after": [after]}


def accepted_in_minutes(world, rng: random.Random, now: dt.datetime, count: int) -> int:
    """Repairs reported with a doubtful photo, accepted within half an hour with no inspection
    photo, then disputed by the citizen: the work was not there. Returns the cases made."""
    districts = ["AQT-CITY", "AQT-CITY", "AQT-ALGA", "ZHA-TARAZ"]
    for index in range(count):
        district_code = districts[index % len(districts)]
        clerk_name, officer_name, inspector_name = _staff(district_code)
        clerk, officer = world.users[clerk_name], world.users[officer_name]
        inspector = world.users[inspector_name]
        received = seed.working_moment(rng, now - dt.timedelta(days=rng.uniform(45, 120)), 0, 1)
        case = _open(world, rng, district_code, "manhole_surround", received)
        department = CategoryRouting.objects.get(
            district=case.district, category=case.category
        ).department
        contracts = [
            c
            for c in world.contracts.get(district_code, [])
            if c.department_id == department.pk and case.category in c.categories.all()
        ]
        moment = seed.working_moment(rng, received, 1, 8)
        seed.escalate_until(moment)
        with clock.frozen_at(moment):
            services.case_assign(case, actor=clerk, department=department)
        moment = seed.working_moment(rng, moment, 2, 30)
        with clock.frozen_at(moment):
            order = work_order_issue(case, actor=officer, contract=rng.choice(contracts))
        moment = seed.working_moment(rng, moment, 1, 5)
        with clock.frozen_at(moment):
            work_order_acknowledge(order, actor=seed.contractor_user(world, case))
        moment = seed.working_moment(rng, moment, 24, 24 * 6)
        trick = DOUBTFUL[index % len(DOUBTFUL)]
        with clock.frozen_at(moment):
            work_order_report_repair(
                case,
                actor=seed.contractor_user(world, case),
                note="Работы выполнены.",
                **_doubtful_photos(world, rng, case, moment, trick),
            )
        signed = moment + dt.timedelta(minutes=rng.randrange(4, 25))
        with clock.frozen_at(signed):
            quantity = Decimal(rng.randrange(10, 60)) / 10
            act_sign(
                case,
                actor=inspector,
                quantity=quantity,
                unit="m2",
                amount_kzt=(quantity * rng.randrange(16_000, 28_000)).quantize(Decimal("1")),
                description=f"Ремонт покрытия вокруг люка, {quantity} м²",
                note="Принято.",
            )
        disputed = seed.working_moment(rng, signed, 24 * 7, 24 * 30)
        if disputed < now - dt.timedelta(minutes=5):
            with clock.frozen_at(disputed):
                services.case_reopen(
                    case,
                    actor=clerk,
                    kind="citizen_dispute",
                    reason="Житель сообщает: ремонта у люка не было, провал на месте.",
                )
        seed.escalate_until(min(disputed, now))
    return count


def district_orders(world, rng: random.Random, now: dt.datetime, count: int) -> int:
    """The districts' departments order repairs from the regional contractors while those are
    late on other orders; each district's inspector accepts the repair. Returns cases made."""
    pairs = [
        (district_code, contract)
        for district_code in sorted(world.districts)
        if district_code.startswith("AQT-") and district_code not in ("AQT-CITY", "AQT-ALGA")
        for contract in world.contracts.get(district_code, [])
        if contract.department.district_id == world.districts[district_code].pk
    ]
    made, late = 0, set()
    for district_code, contract in pairs[:count]:
        clerk_name, officer_name, inspector_name = _staff(district_code)
        # Each contractor's first order here came in months ago and was never done: every later
        # order to it, from any department, is issued while it is late.
        anchor = contract.contractor_id not in late
        late.add(contract.contractor_id)
        days = rng.uniform(70, 80) if anchor else rng.uniform(6, 12)
        received = seed.working_moment(rng, now - dt.timedelta(days=days), 0, 1)
        case = _open(world, rng, district_code, "pothole", received)
        moment = seed.working_moment(rng, received, 1, 6)
        seed.escalate_until(moment)
        with clock.frozen_at(moment):
            services.case_assign(
                case, actor=world.users[clerk_name], department=contract.department
            )
        moment = seed.working_moment(rng, moment, 2, 10)
        with clock.frozen_at(moment):
            order = work_order_issue(case, actor=world.users[officer_name], contract=contract)
        crew = seed.contractor_user(world, case)
        moment = seed.working_moment(rng, moment, 1, 4)
        with clock.frozen_at(moment):
            work_order_acknowledge(order, actor=crew)
        moment = seed.working_moment(rng, moment, 24, 48)
        if not anchor and moment < now - dt.timedelta(hours=2):
            with clock.frozen_at(moment):
                work_order_report_repair(
                    case,
                    actor=crew,
                    note="Работы выполнены.",
                    **seed.repair_photos(rng, world, case, moment),
                )
            signed = seed.working_moment(rng, moment, 3, 8)
            if signed < now - dt.timedelta(minutes=5):
                with clock.frozen_at(signed):
                    act_sign(
                        case,
                        actor=world.users[inspector_name],
                        quantity=Decimal("3.0"),
                        unit="m2",
                        amount_kzt=Decimal(rng.randrange(45_000, 90_000)),
                        description="Ямочный ремонт, 3 м²",
                        note="Проверено на месте.",
                    )
        made += 1
    seed.escalate_until(now)
    return made


SPLIT_RUNS = [(6_200_000, 5_900_000, 4_800_000), (8_100_000, 7_900_000), (9_400_000, 7_300_000)]


def split_contracts(world, rng: random.Random, today: dt.date, runs: int) -> list[Contract]:
    """Runs of two or three contracts from one department to one contractor, signed within a
    fortnight, each under the tender threshold and together over it; 45 days between runs.
    Returns the contracts made."""
    departments = ["AQT-CITY", "AQT-ALGA", "AQT-KARGALY", "AQT-KHROMTAU", "ZHA-TARAZ"]
    made: list[Contract] = []
    for index in range(runs):
        department = world.departments[departments[index % len(departments)]]
        contractor = world.contractors[index % len(world.contractors)]
        start = today - dt.timedelta(days=20 + 45 * (index // len(departments)))
        for part, amount in enumerate(SPLIT_RUNS[index % len(SPLIT_RUNS)]):
            assert amount < DEFAULT_THRESHOLD_KZT
            signed = start + dt.timedelta(days=6 * part)
            contract, _created = Contract.objects.get_or_create(
                department=department,
                number=f"МЗ-{signed.year}/{index + 1:02d}-{part + 1}",
                defaults={
                    "contractor": contractor,
                    "signed_on": signed,
                    "amount_kzt": Decimal(amount),
                    "starts_on": signed,
                    "ends_on": signed + dt.timedelta(days=120),
                    "warranty_months": 24,
                },
            )
            contract.districts.set([department.district])
            contract.categories.set([world.categories["yard_improvement"]])
            made.append(contract)
    return made


def modified_contracts(
    world, rng: random.Random, contracts: list[Contract], today: dt.date, count: int
) -> int:
    """Raise or extend some contracts after signing, as the department's lawyer records it."""
    actor = get_user_model().objects.get(username="admin")
    done = 0
    for contract in contracts[:count]:
        modified_on = min(contract.signed_on + dt.timedelta(days=rng.randrange(5, 15)), today)
        raise_by = Decimal(rng.choice(["0", "0.08", "0.15", "0.25"]))
        contract_modify(
            contract,
            actor=actor,
            new_amount_kzt=(contract.amount_kzt * (1 + raise_by)).quantize(Decimal("1")),
            new_ends_on=contract.ends_on + dt.timedelta(days=rng.choice([30, 60, 90])),
            modified_on=modified_on,
            reason="Дополнительное соглашение: увеличение объёма работ и продление срока.",
        )
        done += 1
    return done


# Acts a close pair's inspector signs for its firm: the indicator's RED_FLAG_AFFINITY_MIN_ACTS.
CLOSE_PAIR_ACTS = 5
# A close pair stands out only among about three ordinary pairs of its region each (Tukey's fence
# over the region's pairs lies below it only while three in four pairs are ordinary): a batch of
# `count` cases is one close pair in eight cases, the rest one act each for other pairs.
CASES_PER_CLOSE_PAIR = 8


def close_pairs(world, rng: random.Random, now: dt.datetime, count: int) -> int:
    """The rural districts' inspectors accept repairs of the district road firms over the past
    year: most of their pairs one act each, while a few inspectors keep accepting one firm's work
    (CLOSE_PAIR_ACTS acts, above the region's fence). Returns the cases made (`count`, or all the
    pairs there are)."""
    districts = sorted(world.firm_contracts)
    firms = len(world.firms)
    count = max(count, 0)
    close = count // CASES_PER_CLOSE_PAIR
    # Every (district, firm) pair once, in an order that spreads each district's close pair over
    # the firms: the first `close` of them are the close pairs, the next ones ordinary.
    pairs = [
        (districts[d], (d + shift) % firms) for shift in range(firms) for d in range(len(districts))
    ]
    close = min(close, len(pairs))
    ordinary = min(count - close * CLOSE_PAIR_ACTS, len(pairs) - close)
    acts = [pair for pair in pairs[:close] for _ in range(CLOSE_PAIR_ACTS)]
    acts += pairs[close : close + ordinary]
    for district_code, firm in acts:
        _accepted_repair(world, rng, now, district_code, world.firm_contracts[district_code][firm])
    seed.escalate_until(now)
    return len(acts)


def _accepted_repair(world, rng: random.Random, now: dt.datetime, district_code: str, contract):
    """A complaint of the past year in `district_code`, repaired under `contract` within days and
    accepted by the district's inspector after a visit."""
    clerk_name, officer_name, inspector_name = _staff(district_code)
    category_code = rng.choice(["pothole", "pothole", "manhole_surround", "sidewalk"])
    received = seed.working_moment(rng, now - dt.timedelta(days=rng.uniform(20, 330)), 0, 1)
    case = _open(world, rng, district_code, category_code, received)
    moment = seed.working_moment(rng, received, 1, 6)
    with clock.frozen_at(moment):
        services.case_assign(case, actor=world.users[clerk_name], department=contract.department)
    moment = seed.working_moment(rng, moment, 2, 20)
    with clock.frozen_at(moment):
        order = work_order_issue(case, actor=world.users[officer_name], contract=contract)
    crew = seed.contractor_user(world, case)
    moment = seed.working_moment(rng, moment, 0.5, 4)
    with clock.frozen_at(moment):
        work_order_acknowledge(order, actor=crew)
    started = seed.working_moment(rng, moment, 20, 72)
    moment = seed.working_moment(rng, started, 2, 8)
    with clock.frozen_at(moment):
        work_order_report_repair(
            case,
            actor=crew,
            note="Работы выполнены.",
            before=[seed.photo(rng, "before", taken_at=started, point=seed.near(rng, case, 6))],
            after=[
                seed.photo(
                    rng,
                    "after",
                    taken_at=moment - dt.timedelta(minutes=rng.randrange(10, 50)),
                    point=seed.near(rng, case, 6),
                )
            ],
        )
    moment = seed.working_moment(rng, moment, 20, 60)
    with clock.frozen_at(moment):
        quantity = Decimal(rng.randrange(15, 60)) / 10
        act_sign(
            case,
            actor=world.users[inspector_name],
            quantity=quantity,
            unit="m2",
            amount_kzt=(quantity * rng.randrange(15_000, 24_000)).quantize(Decimal("1")),
            description=f"{case.category.name_ru}: ремонт покрытия, {quantity} м²",
            note="Проверено на месте, принято.",
        )
