"""Ratings: every post's measures for a year over N cases (materialised, target <= 60 s), and the
public ratings page from the materialised figures: p95 at N cases against 10k, same queries.

    DEBUG=1 .venv/bin/python -u -m bench.ratings [--large 1000000] [--small 10000]

Two PostgreSQL databases identical but for the number of cases (bench/common.py fill_cases: the
last ~166 days, three in eight verified, one in eight rejected), spread over 12
districts of two regions, each with a department; heads, city/district akims and region akims
in post, every head's post changing hands in the middle of the period. Each closed case gets its
closing event, one in forty verified ones a later reopening, one closing in ten a citizen's vote.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from bench.common import fill_cases, fresh_database, page_p95_compare

SMALL, LARGE = "bench_ratings_small", "bench_ratings_large"
DISTRICTS = 12

EVENTS_SQL = """
INSERT INTO casework_caseevent (case_id, seq, role, action, from_state, to_state, reason,
    payload, created_at, prev_hash, hash)
SELECT c.id, 1, CASE WHEN c.state = 'verified' THEN 'inspector' ELSE 'clerk' END,
       CASE WHEN c.state = 'verified' THEN 'verify' ELSE 'reject' END,
       CASE WHEN c.state = 'verified' THEN 'repaired' ELSE 'assigned' END, c.state, '', '{}'::jsonb,
       LEAST(c.received_at + (mod(c.id, 30) + 1) * interval '1 day' + interval '3 hours',
             %(now)s - interval '1 minute'),
       '', md5('c' || c.id) || md5('close' || c.id)
FROM casework_case c WHERE c.state IN ('verified', 'rejected');
INSERT INTO casework_caseevent (case_id, seq, role, action, from_state, to_state, reason,
    payload, created_at, prev_hash, hash)
SELECT e.case_id, 2, 'clerk', 'reopen', 'verified', 'assigned', 'Снова яма', '{}'::jsonb,
       e.created_at + interval '30 seconds', '', md5('o' || e.case_id) || md5('reopen' || e.case_id)
FROM casework_caseevent e WHERE e.action = 'verify' AND mod(e.case_id, 40) = 3;
INSERT INTO ratings_vote (case_id, closing_event_id, result_score, answer_score, comment, channel,
    source_key, cast_at, prev_hash, hash)
SELECT e.case_id, e.id, 1 + mod(e.case_id, 5), 1 + mod(e.case_id * 7, 5), '', 'web', '',
       e.created_at + interval '10 seconds', '', md5('v' || e.id) || md5('vote' || e.id)
FROM casework_caseevent e WHERE e.action IN ('verify', 'reject') AND mod(e.case_id, 10) = 1;
"""


def build(name: str, cases: int) -> None:
    fresh_database(name)
    from django.db import connection
    from django.utils import timezone

    from casework.models import CategoryRouting, Department, District
    from oversight.models import Occupancy, Person, Position
    from tests.factories import World

    world = World()
    districts = [world.a1, world.a2, world.b1]
    for i in range(len(districts), DISTRICTS):
        region = world.region_a if i % 2 else world.region_b
        districts.append(
            District.objects.create(
                region=region,
                code=f"X{i}",
                kind="district",
                name_kk=f"X{i}",
                name_ru=f"X{i}",
                name_en=f"X{i}",
            )
        )
        Department.objects.create(
            district=districts[-1],
            code=f"X{i}-ROADS",
            name_kk="Жол",
            name_ru="Дороги",
            name_en="Roads",
        )
    today = timezone.localdate()
    long_ago, handover = today - dt.timedelta(days=800), today - dt.timedelta(days=80)
    K = Position.Kind
    n = 0

    def hold(position, first, last=None):
        nonlocal n
        n += 1
        person = Person.objects.create(full_name=f"Чиновник {n}")
        Occupancy.objects.create(person=person, position=position, started_on=first, ended_on=last)

    for region in (world.region_a, world.region_b):
        hold(
            Position.objects.create(
                kind=K.REGION_AKIM, title_kk="А", title_ru="А", title_en="Akim", region=region
            ),
            long_ago,
        )
    for district in districts:
        department = Department.objects.filter(district=district).order_by("id").first()
        CategoryRouting.objects.get_or_create(
            district=district, category=world.pothole, defaults={"department": department}
        )
        kind = K.CITY_AKIM if district.kind == "city" else K.DISTRICT_AKIM
        hold(
            Position.objects.create(
                kind=kind, title_kk="А", title_ru="А", title_en="Akim", district=district
            ),
            long_ago,
        )
        head = Position.objects.create(
            kind=K.DEPARTMENT_HEAD,
            title_kk="Б",
            title_ru="Б",
            title_en="Head",
            department=department,
        )
        hold(head, long_ago, handover - dt.timedelta(days=1))
        hold(head, handover)
    fill_cases(1, cases, category=world.pothole, districts=districts)
    with connection.cursor() as cursor:
        cursor.execute(EVENTS_SQL, {"now": timezone.now()})
        cursor.execute("ANALYZE")


def refresh_seconds() -> tuple[float, int]:
    from ratings.figures import figures_refresh

    start = time.perf_counter()
    written = figures_refresh()
    return time.perf_counter() - start, written


def check(label: str, response) -> None:
    body = response.content.decode()
    assert "ratings-table" in body, label


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--per-round", type=int, default=10)
    args = parser.parse_args()

    from bench.common import use_database

    results = {}
    for name, size in ((LARGE, args.large), (SMALL, args.small)):
        start = time.perf_counter()
        build(name, size)
        print(f"built {name}: {size:,} cases in {time.perf_counter() - start:.0f} s", flush=True)
        use_database(name)
        results[name] = refresh_seconds()
        print(
            f"{name}: figures for the year in {results[name][0]:.1f} s ({results[name][1]} rows)",
            flush=True,
        )
    large_s = results[LARGE][0]
    print(
        f"measures + materialisation, {args.large:,} cases: {large_s:.1f} s "
        f"(target <= 60 s): {'PASS' if large_s <= 60 else 'FAIL'}; "
        f"{args.small:,} cases: {results[SMALL][0]:.1f} s"
    )
    scenarios = {
        "public, latest month, all groups": ("manager", {"kind": "month"}),
        "public, year, city and district akims": ("manager", {"kind": "year", "group": "akim"}),
    }
    status = page_p95_compare(
        title="public ratings page",
        path="/ratings/",
        scenarios=scenarios,
        databases=(SMALL, LARGE),
        sizes=(args.small, args.large),
        rounds=args.rounds,
        per_round=args.per_round,
        warm_up=2,
        check=check,
    )
    return status if large_s <= 60 else 1


if __name__ == "__main__":
    raise SystemExit(main())
