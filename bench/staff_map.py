"""Staff map data (/staff/map/data/): p95 latency with 100k cases against the same with 10k.

    DEBUG=1 .venv/bin/python -m bench.staff_map [--large 100000] [--small 10000]

Two PostgreSQL databases, identical but for the number of cases (made by generate_series,
bench/common.py: spread over a city-sized square of about 7 × 11 km around Aktobe, half of
them open), measured in alternating rounds. Each request is the whole endpoint through Django's
test client: session, scope, the list's filters, the grid GROUP BY, the single cases, the list
beside the map and the JSON. The clustering is computed per request from the cases in the box, so
a view holding every case (the city) grows with the number of cases; a street view should not.
"""

from __future__ import annotations

import argparse

from bench.common import fill_cases, fresh_database, page_p95_compare

SMALL, LARGE = "bench_staff_map_small", "bench_staff_map_large"


def build(name: str, cases: int) -> None:
    fresh_database(name)
    from tests.factories import World

    world = World()
    fill_cases(1, cases, category=world.pothole, districts=[world.a1, world.a2])


def check(label: str, response) -> None:
    body = response.json()
    assert len(body["features"]) <= 2000, (label, len(body["features"]))
    assert body["total"] > 0, label


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--per-round", type=int, default=10)
    args = parser.parse_args()

    build(LARGE, args.large)
    build(SMALL, args.small)
    scenarios = {
        "investigator, all cases, region (zoom 7)": (
            "investigator",
            {"show": "all", "bbox": "50,45,65,55", "zoom": 7},
        ),
        "investigator, all cases, city (zoom 13)": (
            "investigator",
            {"show": "all", "bbox": "57.08,50.18,57.22,50.32", "zoom": 13},
        ),
        "investigator, all cases, street (zoom 17)": (
            "investigator",
            {"show": "all", "bbox": "57.150,50.250,57.156,50.254", "zoom": 17},
        ),
        "clerk, open cases, city (zoom 13)": (
            "clerk",
            {"bbox": "57.08,50.18,57.22,50.32", "zoom": 13},
        ),
    }
    return page_p95_compare(
        title="staff map data",
        path="/staff/map/data/",
        scenarios=scenarios,
        databases=(SMALL, LARGE),
        sizes=(args.small, args.large),
        rounds=args.rounds,
        per_round=args.per_round,
        warm_up=2,
        check=check,
    )


if __name__ == "__main__":
    raise SystemExit(main())
