"""The open data dump (portal/open_data_dump.py): rows per second and peak Python memory at 1M
cases against 100k.

    DEBUG=1 .venv/bin/python -u -m bench.open_data [--large 1000000] [--small 100000]

One PostgreSQL database: the small count of cases is made first (generate_series,
bench/common.py; a work order on every case past assignment) and dumped, then the rest up to the
large count is added and it is dumped again. Each dump is timed alone, then run again under
tracemalloc for its peak. Streaming through a server-side cursor should keep rows/s about
the same and the peak flat: the target is rows/s at 1M >= 0.67 × at 100k and peak at 1M <= 1.5 ×
at 100k. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import tracemalloc

from bench.common import drop_database, fill_cases, fresh_database

DATABASE = "bench_open_data"

WORK_ORDERS_SQL = """
INSERT INTO contractors_workorder (
    case_id, contract_id, contractor_id, issued_by_id, issued_at, due_at, status, note
)
SELECT c.id, %(contract)s, %(contractor)s, %(user)s, c.received_at + interval '1 day',
       c.received_at + interval '10 days', 'issued', ''
FROM casework_case c
WHERE c.id BETWEEN %(first)s AND %(last)s
  AND c.state IN ('contractor_notified', 'repaired', 'verified')
"""


def add_cases(world, first: int, last: int) -> None:
    from django.db import connection

    from casework.models import Case

    fill_cases(first, last, category=world.pothole, districts=[world.a1, world.a2])
    ids = Case.objects.filter(tracking_code__startswith="BN-").order_by("id")
    low, high = ids.values_list("id", flat=True)[first - 1], ids.last().pk
    with connection.cursor() as cursor:
        cursor.execute(
            WORK_ORDERS_SQL,
            {
                "contract": world.contract.pk,
                "contractor": world.contractor.pk,
                "user": world.officer.pk,
                "first": low,
                "last": high,
            },
        )
        cursor.execute("ANALYZE contractors_workorder")


def measure(label: str) -> tuple[int, float, int]:
    from portal.open_data_dump import open_data_dump

    start = time.perf_counter()
    rows = open_data_dump(keep=1).rows
    seconds = time.perf_counter() - start
    tracemalloc.start()
    open_data_dump(keep=1)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label}: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s, "
        f"peak Python memory {peak / 2**20:.1f} MiB",
        flush=True,
    )
    return rows, rows / seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()

    fresh_database(DATABASE)
    media = tempfile.mkdtemp(prefix="bench-open-data-")
    try:
        from django.conf import settings

        from tests.factories import World

        settings.MEDIA_ROOT = media
        world = World()
        add_cases(world, 1, args.small)
        _rows, small_rate, small_peak = measure(f"{args.small:,} cases")
        add_cases(world, args.small + 1, args.large)
        _rows, large_rate, large_peak = measure(f"{args.large:,} cases")
    finally:
        drop_database(DATABASE)
        shutil.rmtree(media, ignore_errors=True)
    rate_ratio, peak_ratio = large_rate / small_rate, large_peak / small_peak
    verdict = "PASS" if rate_ratio >= 0.67 and peak_ratio <= 1.5 else "FAIL"
    print(
        f"rows/s ratio (large/small) {rate_ratio:.2f} (target >= 0.67), "
        f"peak memory ratio {peak_ratio:.2f} (target <= 1.5): {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
