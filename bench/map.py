"""Public map data (/api/public/map/, issue 15): p95 latency at 1M cases against 10k, for the
whole country, one region and one street; and the weight of the first load of / (HTML, CSS, JS
and the first GeoJSON, gzip-compressed).

    DEBUG=1 .venv/bin/python -u -m bench.map [--large 1000000] [--small 10000]

Two PostgreSQL databases, identical but for the number of cases (bench/common.py's
generate_series: every case in one city-sized square around Aktobe, so the country and region
views hold *all* of them, and a street at 1M holds a hundred times what it holds at 10k). The
cases are loaded with the map trigger off and the grid aggregate recounted once
(`casework_case_map_cells_rebuild()`), as a migration of existing data would; from then on the
trigger keeps it. Each request is the whole endpoint through Django's test client, anonymous,
without If-None-Match (every answer built in full), in alternating rounds.

Targets: p95(1M) / p95(10k) ≤ 1.5 for each view; at 1M, p95(country) ≤ 2 × p95(street);
first load of / ≤ 500 KB compressed.
"""

from __future__ import annotations

import argparse
import gzip
import re
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

SMALL, LARGE = "bench_map_small", "bench_map_large"
PATH = "/api/public/map/"
VIEWS = {
    # What a phone and a desktop ask for when they open / on Kazakhstan, a region, a street.
    "country (zoom 5)": {"bbox": "46.5,40.5,87.4,55.5", "zoom": 5},
    "region (zoom 8)": {"bbox": "55.0,49.0,59.5,51.5", "zoom": 8},
    "street (zoom 17)": {"bbox": "57.150,50.250,57.156,50.254", "zoom": 17},
}
FIRST_LOAD_LIMIT = 500 * 1024


def build(name: str, cases: int) -> None:
    fresh_database(name)
    from django.db import connection

    from tests.factories import World

    world = World()
    start = time.perf_counter()
    # fill_cases loads with the map trigger off and recounts the aggregate once at the end.
    fill_cases(1, cases, category=world.pothole, districts=[world.a1, world.a2])
    done = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM casework_casemapcell")
        (cells,) = cursor.fetchone()
    print(f"{name}: {cases:,} cases and {cells:,} cell rows counted in {done - start:.0f} s")


def first_load_bytes(client) -> dict[str, int]:
    """Each part of the first load of /, gzip-compressed: the page, the stylesheets and scripts
    it links, the first GeoJSON (the country) and the month's figures."""
    from django.contrib.staticfiles import finders

    page = client.get("/")
    assert page.status_code == 200
    html = page.content
    sizes = {"/": len(gzip.compress(html))}
    for url in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html):
        path = finders.find(url.decode().removeprefix("/static/"))
        with open(path, "rb") as file:
            sizes[url.decode()] = len(gzip.compress(file.read()))
    for url, query in (
        (PATH, VIEWS["country (zoom 5)"]),
        (PATH + "figures/", {"bbox": "46.5,40.5,87.4,55.5"}),
    ):
        response = client.get(url, query)
        assert response.status_code == 200
        sizes[url] = len(gzip.compress(response.content))
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--per-round", type=int, default=10)
    args = parser.parse_args()

    build(LARGE, args.large)
    build(SMALL, args.small)
    from django.db import connections
    from django.test import Client

    databases = (SMALL, LARGE)
    samples = {(db, label): [] for db in databases for label in VIEWS}
    queries: dict[tuple[str, str], int] = {}
    features: dict[tuple[str, str], tuple[int, int]] = {}
    try:
        for round_no in range(args.rounds):
            for db in databases if round_no % 2 == 0 else databases[::-1]:
                use_database(db)
                client = Client(SERVER_NAME="localhost")
                for label, query in VIEWS.items():

                    def get(client=client, query=query):
                        return client.get(PATH, query)

                    if round_no == 0:
                        get()
                        get()
                        with QueryCounter() as counter:
                            response = get()
                        assert response.status_code == 200, (label, response.status_code)
                        body = response.json()
                        assert len(body["features"]) <= 2000, (label, len(body["features"]))
                        queries[(db, label)] = counter.count
                        features[(db, label)] = (body["total"], len(body["features"]))
                    samples[(db, label)] += timed(get, args.per_round)
        use_database(LARGE)
        load = first_load_bytes(Client(SERVER_NAME="localhost"))
    finally:
        connections["default"].close()
        for db in databases:
            drop_database(db)

    n = args.rounds * args.per_round
    print(f"public map data, p95 of {n} requests each: {args.small:,} vs {args.large:,} cases")
    print(f"{'view':18} {'p95 small':>11} {'p95 large':>11} {'ratio':>6}  queries  total/features")
    ok = True
    for label in VIEWS:
        small, large = p95(samples[(SMALL, label)]), p95(samples[(LARGE, label)])
        ratio = large / small
        ok &= ratio <= 1.5
        q = f"{queries[(SMALL, label)]}/{queries[(LARGE, label)]}"
        shape = f"{features[(SMALL, label)]} {features[(LARGE, label)]}"
        print(f"{label:18} {ms(small):>11} {ms(large):>11} {ratio:6.2f}  {q:7}  {shape}")
    country = p95(samples[(LARGE, "country (zoom 5)")])
    street = p95(samples[(LARGE, "street (zoom 17)")])
    ok &= country <= 2 * street
    print(f"at {args.large:,}: country p95 / street p95 = {country / street:.2f} (target <= 2)")
    total = sum(load.values())
    ok &= total <= FIRST_LOAD_LIMIT
    parts = ", ".join(f"{k} {v / 1024:.1f}" for k, v in load.items())
    print(f"first load of / (gzip): {total / 1024:.1f} KB (target <= 500 KB): {parts}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
