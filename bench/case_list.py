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

from bench.common import fill_cases, fresh_database, page_p95_compare

SMALL, LARGE = "bench_case_list_small", "bench_case_list_large"


def build(name: str, cases: int):
    """A database with the test world and `cases` cases; returns the world."""
    fresh_database(name)
    from tests.factories import World

    world = World()
    fill_cases(1, cases, category=world.pothole, districts=[world.a1, world.a2, world.b1])
    return world


def _has_results(label: str, response) -> None:
    found = json.loads(response.content)["results"]
    assert bool(found) != ("nowhere" in label), f"{label}: {len(found)} results"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=20)
    args = parser.parse_args()

    build(LARGE, args.large)
    build(SMALL, args.small)
    scenarios = {
        "clerk, own district": ("clerk", {}),
        "investigator, region": ("investigator", {}),
        "investigator, state=assigned": ("investigator", {"state": "assigned"}),
        "officer, overdue=true": ("officer", {"overdue": "true"}),
        "investigator, page_size=200": ("investigator", {"page_size": 200}),
        "investigator, q found everywhere": ("investigator", {"q": "маресьева"}),
        "investigator, q found nowhere": ("investigator", {"q": "асфальтбетон"}),
    }
    return page_p95_compare(
        title="case list API",
        path="/api/v1/cases/",
        scenarios=scenarios,
        databases=(SMALL, LARGE),
        sizes=(args.small, args.large),
        rounds=args.rounds,
        per_round=args.per_round,
        warm_up=5,
        check=_has_results,
    )


if __name__ == "__main__":
    raise SystemExit(main())
