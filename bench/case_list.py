"""API case list: p95 latency with 1M cases against the same with 10k, same query count.

    .venv/bin/python -m bench.case_list            # builds 10k and 1M databases (minutes)
    .venv/bin/python -m bench.case_list --large 200000

Two databases, identical but for the number of cases, are measured in alternating rounds so
that the machine's noise falls on both alike. Target: p95(1M) / p95(10k) <= 1.5 for every
scenario, with the same number of SQL queries.
"""

from __future__ import annotations

import argparse
import json

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

SMALL, LARGE = "bench_case_list_small", "bench_case_list_large"


def build(name: str, cases: int):
    """A database with the test world and `cases` cases; returns the world."""
    fresh_database(name)
    from tests.factories import World

    world = World()
    fill_cases(1, cases, category=world.pothole, districts=[world.a1, world.a2, world.b1])
    return world


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=20)
    args = parser.parse_args()

    build(LARGE, args.large)
    build(SMALL, args.small)
    from django.db import connections
    from django.test import Client

    scenarios = {
        "clerk, own district": ("clerk", {}),
        "investigator, region": ("investigator", {}),
        "investigator, state=assigned": ("investigator", {"state": "assigned"}),
        "officer, overdue=true": ("officer", {"overdue": "true"}),
        "investigator, page_size=200": ("investigator", {"page_size": 200}),
    }
    samples = {(db, label): [] for db in (SMALL, LARGE) for label in scenarios}
    queries: dict[tuple[str, str], int] = {}
    try:
        for round_no in range(args.rounds):
            for db in (SMALL, LARGE) if round_no % 2 == 0 else (LARGE, SMALL):
                use_database(db)
                from django.contrib.auth import get_user_model

                for label, (username, query) in scenarios.items():
                    client = Client(SERVER_NAME="localhost")
                    client.force_login(get_user_model().objects.get(username=username))

                    def get(client=client, query=query):
                        return client.get("/api/v1/cases/", query)

                    if round_no == 0:
                        for _ in range(5):
                            get()
                        with QueryCounter() as counter:
                            response = get()
                        assert response.status_code == 200, (label, response.status_code)
                        assert json.loads(response.content)["results"], label
                        queries[(db, label)] = counter.count
                    samples[(db, label)] += timed(get, args.per_round)
    finally:
        connections["default"].close()
        drop_database(SMALL)
        drop_database(LARGE)

    worst = 0.0
    print(
        f"case list API, p95 of {args.rounds * args.per_round} requests each: "
        f"{args.small:,} vs {args.large:,} cases"
    )
    print(f"{'scenario':32} {'p95 small':>11} {'p95 large':>11} {'ratio':>6}  queries")
    for label in scenarios:
        small, large = p95(samples[(SMALL, label)]), p95(samples[(LARGE, label)])
        q_small, q_large = queries[(SMALL, label)], queries[(LARGE, label)]
        ratio = large / small
        worst = max(worst, ratio if q_small == q_large else float("inf"))
        same = "same" if q_small == q_large else f"DIFFER ({q_large})"
        print(f"{label:32} {ms(small):>11} {ms(large):>11} {ratio:6.2f}  {q_small} {same}")
    verdict = "PASS" if worst <= 1.5 else "FAIL"
    print(f"worst ratio {worst:.2f} (target <= 1.5 with the same query count): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
