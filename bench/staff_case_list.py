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

from bench.common import fill_cases, fresh_database, page_p95_compare
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
    return page_p95_compare(
        title="staff case list page",
        path="/staff/cases/",
        scenarios=scenarios,
        databases=(SMALL, LARGE),
        sizes=(args.small, args.large),
        rounds=args.rounds,
        per_round=args.per_round,
        warm_up=3,
    )


if __name__ == "__main__":
    raise SystemExit(main())
