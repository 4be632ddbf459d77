"""Public projects pages: p95 latency with 10k projects and 1M cases against 100 projects and
10k cases, and the number of queries of each (which must not change with the data).

    DEBUG=1 .venv/bin/python -u -m bench.projects [--large-projects 10000 --large-cases 1000000]
                                                   [--small-projects 100 --small-cases 10000]
                                                   [--database-prefix bench_projects]
                                                   [--keep] [--reuse]

Two PostgreSQL databases, built alike (generate_series cases from bench/common.py over a
city-sized square around Aktobe; projects, four milestones and one progress observation each,
half of them under a contract, about twenty complaints linked to each; every table analysed),
measured in alternating rounds through Django's test client, anonymous as a citizen: the list
(no filter, next year, one contractor), the GeoJSON twin for a street-sized box, and one
project's page. The contractors' scorecards on a project page are kept in the cache for ten
minutes (projects/selectors.py); the warm-up fills it, so the figures are those of a page whose
scorecards are cached.

The databases are <prefix>_small and <prefix>_large, dropped at the end unless --keep; --reuse
measures again on the databases a --keep run left (migrating them first, so a new index counts),
and keeps them.
"""

from __future__ import annotations

import argparse
import random
import time

from bench.common import (
    QueryCounter,
    drop_database,
    fill_cases,
    fresh_database,
    ms,
    p95,
    timed,
    use_database,
)

PREFIX = "bench_projects"
LINKS_PER_PROJECT = 20
MEASURED_CODE = "bench-p-00042"

LINKS_SQL = """
INSERT INTO projects_projectcase (project_id, case_id, linked_at)
SELECT p.id, lo.min_id + ((p.id * 7919 + g * 104729) %% lo.n), now()
FROM projects_project p
CROSS JOIN generate_series(1, %(per)s) g
CROSS JOIN (SELECT min(id) AS min_id, count(*) AS n FROM casework_case) lo
ON CONFLICT DO NOTHING
"""


def build(name: str, projects: int, cases: int) -> None:
    fresh_database(name)
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from projects.models import Milestone, ProgressObservation, Project, ProjectContract
    from tests.factories import World

    world = World()
    start = time.perf_counter()
    # fill_cases loads with the map trigger off and recounts the aggregate once at the end.
    fill_cases(1, cases, category=world.pothole, districts=[world.a1, world.a2])
    print(f"{name}: {cases:,} cases in {time.perf_counter() - start:.0f} s", flush=True)
    rng = random.Random(14)
    today = timezone.localdate()
    rows = []
    for i in range(projects):
        lon, lat = 57.10 + rng.random() * 0.12, 50.23 + rng.random() * 0.10
        w, h = 0.001, 0.0006
        ring = [[lon - w, lat - h], [lon + w, lat - h], [lon + w, lat + h], [lon - w, lat + h]]
        rows.append(
            Project(
                code=f"bench-p-{i:05d}",
                title_kk=f"Жоба {i}",
                title_ru=f"Проект {i}",
                sector=Project.Sector.YARDS if i % 2 else Project.Sector.ROADS,
                type=Project.Type.REPAIR,
                status=Project.Status.IMPLEMENTATION if i % 3 else Project.Status.PREPARATION,
                region=world.region_a,
                district=world.a1 if i % 2 else world.a2,
                department=world.dep_a1 if i % 2 else world.dep_a2,
                geometry={"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                min_lon=lon - w,
                min_lat=lat - h,
                max_lon=lon + w,
                max_lat=lat + h,
                budget_amount=10_000_000 + i,
                planned_year=today.year + (1 if i % 5 == 0 else 0),
            )
        )
    made = Project.objects.bulk_create(rows, batch_size=2000)
    Milestone.objects.bulk_create(
        [
            Milestone(
                project=p,
                name_kk=f"Кезең {n}",
                name_ru=f"Этап {n}",
                planned_start=today - dt.timedelta(days=100 - 20 * n),
                planned_end=today - dt.timedelta(days=85 - 20 * n),
                actual_start=today - dt.timedelta(days=100 - 20 * n),
            )
            for p in made
            for n in range(4)
        ],
        batch_size=5000,
    )
    ProgressObservation.objects.bulk_create(
        [
            ProgressObservation(
                project=p,
                observed_on=today,
                physical_percent=50,
                spent_amount=1_000_000,
                recorded_by=world.manager,
            )
            for p in made
        ],
        batch_size=5000,
    )
    ProjectContract.objects.bulk_create(
        [
            ProjectContract(project=p, contract=world.contract if i % 4 else world.other_contract)
            for i, p in enumerate(made)
            if i % 2 == 0
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(LINKS_SQL, {"per": LINKS_PER_PROJECT})
        # Every table, as autovacuum would before long: without statistics on the contract
        # links PostgreSQL took one contractor's projects for a few dozen and sorted all of them.
        cursor.execute("ANALYZE")


def reuse(name: str) -> tuple[int, int]:
    """Django on a database a --keep run left, migrated to the current code and analysed; its
    numbers of projects and cases."""
    import os

    from bench.common import ADMIN_URL

    os.environ["DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    use_database(name)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM casework_case")
        cases = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM projects_project")
        projects = cursor.fetchone()[0]
        cursor.execute("ANALYZE")
    print(f"reusing {name}: {projects:,} projects, {cases:,} cases", flush=True)
    return projects, cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-projects", type=int, default=100)
    parser.add_argument("--small-cases", type=int, default=10_000)
    parser.add_argument("--large-projects", type=int, default=10_000)
    parser.add_argument("--large-cases", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--database-prefix", default=PREFIX, help="databases <prefix>_small/_large")
    parser.add_argument("--keep", action="store_true", help="keep the databases at the end")
    parser.add_argument(
        "--reuse", action="store_true", help="measure on the databases a --keep run left (kept)"
    )
    args = parser.parse_args()
    small_db, large_db = f"{args.database_prefix}_small", f"{args.database_prefix}_large"

    if args.reuse:
        args.large_projects, args.large_cases = reuse(large_db)
        args.small_projects, args.small_cases = reuse(small_db)
    else:
        build(large_db, args.large_projects, args.large_cases)
        build(small_db, args.small_projects, args.small_cases)

    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client
    from django.utils import timezone

    from contractors.models import Contractor

    next_year = timezone.localdate().year + 1
    scenarios: dict[str, tuple[str, dict]] = {
        "list, no filter": ("/projects/", {}),
        "list, next year": ("/projects/", {"year": next_year}),
        "list, one contractor": ("/projects/", {"contractor": "CONTRACTOR"}),
        "GeoJSON, street box": ("/api/public/projects/", {"bbox": "57.150,50.250,57.156,50.254"}),
        "project page": (f"/projects/{MEASURED_CODE}/", {}),
    }
    databases = (small_db, large_db)
    samples = {(db, label): [] for db in databases for label in scenarios}
    queries: dict[tuple[str, str], int] = {}
    try:
        for round_no in range(args.rounds):
            for db in databases if round_no % 2 == 0 else databases[::-1]:
                use_database(db)
                contractor = Contractor.objects.order_by("pk").first().pk
                assert get_user_model().objects.exists()
                for label, (path, query) in scenarios.items():
                    query = {k: (contractor if v == "CONTRACTOR" else v) for k, v in query.items()}
                    client = Client(SERVER_NAME="localhost", HTTP_ACCEPT_LANGUAGE="ru")

                    def get(client=client, path=path, query=query):
                        return client.get(path, query)

                    if round_no == 0:
                        get()
                        get()
                        with QueryCounter() as counter:
                            response = get()
                        assert response.status_code == 200, (db, label, response.status_code)
                        queries[(db, label)] = counter.count
                    samples[(db, label)] += timed(get, args.per_round)
    finally:
        connections["default"].close()
        if not (args.keep or args.reuse):
            for db in databases:
                drop_database(db)

    worst = 0.0
    sizes = (
        f"{args.small_projects:,} projects + {args.small_cases:,} cases vs "
        f"{args.large_projects:,} projects + {args.large_cases:,} cases"
    )
    print(f"public projects pages, p95 of {args.rounds * args.per_round} requests each: {sizes}")
    print(f"{'scenario':24} {'p95 small':>11} {'p95 large':>11} {'ratio':>6}  queries")
    for label in scenarios:
        small, large = p95(samples[(small_db, label)]), p95(samples[(large_db, label)])
        q_small, q_large = queries[(small_db, label)], queries[(large_db, label)]
        ratio = large / small
        worst = max(worst, ratio if q_small == q_large else float("inf"))
        same = "same" if q_small == q_large else f"DIFFER ({q_large})"
        print(f"{label:24} {ms(small):>11} {ms(large):>11} {ratio:6.2f}  {q_small} {same}")
    verdict = "PASS" if worst <= 1.5 else "FAIL"
    print(f"worst ratio {worst:.2f} (target <= 1.5 with the same query count): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
