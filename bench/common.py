"""Shared set-up for benchmarks: a fresh PostgreSQL database, Django on it, bulk cases by SQL.

Benchmarks print their figure as a ratio against a baseline run in the same process, because
these machines are noisy and absolute times mean little.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def map_cells_paused(cursor):
    """A bulk load of cases without the public map's row trigger (up to 36 upserts into
    `casework_casemapcell` per case, which made a 1M load several times slower), then the
    aggregate recounted once, as a migration of existing data would."""
    cursor.execute("ALTER TABLE casework_case DISABLE TRIGGER casework_case_map_cells")
    try:
        yield
    finally:
        cursor.execute("ALTER TABLE casework_case ENABLE TRIGGER casework_case_map_cells")
    cursor.execute("SELECT casework_case_map_cells_rebuild()")


def fresh_database(name: str) -> str:
    """Drop and create database `name`; point Django at it; migrate. Returns its URL."""
    import psycopg

    with psycopg.connect(
        ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    use_database(name)  # when Django was already set up on another database

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    return url


def drop_database(name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(
        ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CASES_SQL = """
INSERT INTO casework_case (
    tracking_code, access_token, title, description, latitude, longitude, address, channel,
    priority, state, received_at, due_at, stage_due_at, state_changed_at, reject_reason,
    reroute_count, rework_count, reopen_count, extension_count, escalation_level, event_seq,
    category_id, district_id, region_id, department_id
)
SELECT
    'BN-' || lpad(g::text, 8, '0'),
    md5(g::text || ':token'),
    'Яма на дороге №' || g,
    'Глубокая яма у дома ' || (g %% 200) || ', машины объезжают по встречной.',
    50.20 + (g %% 1000) / 10000.0,
    57.10 + (g %% 997) / 10000.0,
    'улица Маресьева, ' || (g %% 300),
    (ARRAY['whatsapp','telegram','web','phone','facebook','open311'])[1 + g %% 6],
    2,
    s.state,
    %(now)s - (g %% 4000) * interval '1 hour',
    %(now)s - (g %% 4000) * interval '1 hour' + interval '21 days',
    %(now)s - (g %% 4000) * interval '1 hour' + interval '3 days',
    %(now)s - (g %% 4000) * interval '1 hour',
    '', 0, 0, 0, 0, 0, 0,
    %(category)s,
    d.district,
    d.region,
    CASE WHEN s.state = 'received' THEN NULL ELSE d.department END
FROM generate_series(%(first)s, %(last)s) AS g
CROSS JOIN LATERAL (
    SELECT (ARRAY['received','assigned','contractor_notified','repaired','verified',
                  'verified','verified','rejected'])[1 + (g * 7) %% 8] AS state
) AS s
CROSS JOIN LATERAL (
    SELECT (%(districts)s::bigint[])[1 + g %% %(n_districts)s] AS district,
           (%(regions)s::bigint[])[1 + g %% %(n_districts)s] AS region,
           (%(departments)s::bigint[])[1 + g %% %(n_districts)s] AS department
) AS d
"""


def fill_cases(first: int, last: int, *, category, districts: list) -> None:
    """Insert cases `first`..`last` spread over `districts` (each with one department)."""
    from django.db import connection
    from django.utils import timezone

    from casework.models import Department

    departments = [
        Department.objects.filter(district=d).order_by("id").first().pk for d in districts
    ]
    with connection.cursor() as cursor, map_cells_paused(cursor):
        cursor.execute(
            CASES_SQL,
            {
                "now": timezone.now(),
                "first": first,
                "last": last,
                "category": category.pk,
                "districts": [d.pk for d in districts],
                "regions": [d.region_id for d in districts],
                "departments": departments,
                "n_districts": len(districts),
            },
        )
        cursor.execute("ANALYZE casework_case")


def timed(func: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


class QueryCounter:
    """Counts SQL statements run on the default connection (works across test-client requests,
    which reset Django's own query log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def use_database(name: str) -> None:
    """Point the default connection at another database of the same server."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = name


def page_p95_compare(
    *,
    title: str,
    path: str,
    scenarios: dict[str, tuple[str, dict]],
    databases: tuple[str, str],
    sizes: tuple[int, int],
    rounds: int,
    per_round: int,
    warm_up: int,
    check: Callable[[str, object], None] | None = None,
) -> int:
    """GET `path` as each scenario's user with its query, in the small and the large database in
    alternating rounds (so the machine's noise falls on both alike); print p95 of each, their
    ratio and the query counts; return 0 when every ratio is <= 1.5 with the same query count.
    The databases are dropped at the end."""
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client

    small_db, large_db = databases
    samples: dict[tuple[str, str], list[float]] = {
        (db, label): [] for db in databases for label in scenarios
    }
    queries: dict[tuple[str, str], int] = {}
    try:
        for round_no in range(rounds):
            for db in databases if round_no % 2 == 0 else databases[::-1]:
                use_database(db)
                for label, (username, query) in scenarios.items():
                    client = Client(SERVER_NAME="localhost")
                    client.force_login(get_user_model().objects.get(username=username))

                    def get(client=client, query=query):
                        return client.get(path, query)

                    if round_no == 0:
                        for _ in range(warm_up):
                            get()
                        with QueryCounter() as counter:
                            response = get()
                        assert response.status_code == 200, (label, response.status_code)
                        if check is not None:
                            check(label, response)
                        queries[(db, label)] = counter.count
                    samples[(db, label)] += timed(get, per_round)
    finally:
        connections["default"].close()
        for db in databases:
            drop_database(db)

    worst = 0.0
    width = max(len(label) for label in scenarios) + 2
    print(f"{title}, p95 of {rounds * per_round} requests each: {sizes[0]:,} vs {sizes[1]:,} cases")
    print(f"{'scenario':{width}} {'p95 small':>11} {'p95 large':>11} {'ratio':>6}  queries")
    for label in scenarios:
        small, large = p95(samples[(small_db, label)]), p95(samples[(large_db, label)])
        q_small, q_large = queries[(small_db, label)], queries[(large_db, label)]
        ratio = large / small
        worst = max(worst, ratio if q_small == q_large else float("inf"))
        same = "same" if q_small == q_large else f"DIFFER ({q_large})"
        print(f"{label:{width}} {ms(small):>11} {ms(large):>11} {ratio:6.2f}  {q_small} {same}")
    verdict = "PASS" if worst <= 1.5 else "FAIL"
    print(f"worst ratio {worst:.2f} (target <= 1.5 with the same query count): {verdict}")
    return 0 if verdict == "PASS" else 1
