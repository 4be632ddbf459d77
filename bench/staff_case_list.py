"""Staff case list page (/staff/cases/): p95 latency with 1M cases against the same with 10k.

    DEBUG=1 .venv/bin/python -m bench.staff_case_list [--large 1000000] [--small 10000]

Two databases, identical but for the number of cases (half of them open, each open case with its
open workflow task, as the flow would have left them), are measured in alternating rounds so that
the machine's noise falls on both alike. The whole page is timed through Django's test client:
session, scoping, the query, the open step of each row, the menu's task counts and the template.
Target: p95(1M) / p95(10k) <= 1.5 for every scenario, with the same number of SQL queries.
"""

from __future__ import annotations

import argparse

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
from bench.workflow_data import fill_tasks

SMALL, LARGE = "bench_staff_cases_small", "bench_staff_cases_large"


def build(name: str, cases: int) -> None:
    fresh_database(name)
    from tests.factories import World

    world = World()
    fill_cases(1, cases, category=world.pothole, districts=[world.a1, world.a2, world.b1])
    fill_tasks(world)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--per-round", type=int, default=15)
    args = parser.parse_args()

    build(LARGE, args.large)
    build(SMALL, args.small)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client

    settings.MAP_TILE_URL = ""
    scenarios = {
        "clerk, open cases of the district": ("clerk", {}),
        "officer, open cases of the department": ("officer", {}),
        "investigator, open cases of the region": ("investigator", {}),
        "investigator, overdue": ("investigator", {"show": "overdue"}),
        "clerk, tracking code": ("clerk", {"q": "BN-00000007"}),
        "investigator, text found everywhere": ("investigator", {"q": "маресьева"}),
        "investigator, text found nowhere": ("investigator", {"q": "асфальтбетон"}),
        "investigator, page 3": ("investigator", {"page": 3}),
    }
    samples = {(db, label): [] for db in (SMALL, LARGE) for label in scenarios}
    queries: dict[tuple[str, str], int] = {}
    try:
        for round_no in range(args.rounds):
            for db in (SMALL, LARGE) if round_no % 2 == 0 else (LARGE, SMALL):
                use_database(db)
                for label, (username, query) in scenarios.items():
                    client = Client(SERVER_NAME="localhost")
                    client.force_login(get_user_model().objects.get(username=username))

                    def get(client=client, query=query):
                        return client.get("/staff/cases/", query)

                    if round_no == 0:
                        for _ in range(3):
                            get()
                        with QueryCounter() as counter:
                            response = get()
                        assert response.status_code == 200, (label, response.status_code)
                        queries[(db, label)] = counter.count
                    samples[(db, label)] += timed(get, args.per_round)
    finally:
        connections["default"].close()
        drop_database(SMALL)
        drop_database(LARGE)

    worst = 0.0
    print(
        f"staff case list page, p95 of {args.rounds * args.per_round} requests each: "
        f"{args.small:,} vs {args.large:,} cases"
    )
    print(f"{'scenario':40} {'p95 small':>11} {'p95 large':>11} {'ratio':>6}  queries")
    for label in scenarios:
        small, large = p95(samples[(SMALL, label)]), p95(samples[(LARGE, label)])
        q_small, q_large = queries[(SMALL, label)], queries[(LARGE, label)]
        ratio = large / small
        worst = max(worst, ratio if q_small == q_large else float("inf"))
        same = "same" if q_small == q_large else f"DIFFER ({q_large})"
        print(f"{label:40} {ms(small):>11} {ms(large):>11} {ratio:6.2f}  {q_small} {same}")
    verdict = "PASS" if worst <= 1.5 else "FAIL"
    print(f"worst ratio {worst:.2f} (target <= 1.5 with the same query count): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
