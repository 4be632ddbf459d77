"""Benchmark: the deadline sweep over 100k and over 1M open cases, the same number newly overdue.

    DEBUG=1 .venv/bin/python bench/sweep.py [--sizes 100000 1000000] [--overdue 1000] [--keep]

For each size, makes the PostgreSQL database `bench_workflows` afresh (generate_series; 2% of the
cases are already overdue and escalated, the rest due later) and times in this process, in
transactions that are rolled back so every run sees the same data:

- baseline: one plain SQL UPDATE that flags the newly overdue rows (state open, stage deadline
  passed, not yet escalated), through the existing (state, stage_due_at) index;
- sweep: `casework.sweep.sweep_run`, which for each of those rows also appends a hash-chained
  CaseEvent, writes the case's history row and queues the notification jobs.

Prints median times, sweep / baseline (target <= 3) and sweep(1M) / sweep(100k) (target <= 1.5).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from staff_data import drop_database, fill_cases, fresh_database, org, setup_django

RUNS = 5
OPEN = "('received', 'assigned', 'contractor_notified', 'repaired')"


def timed(work) -> float:
    from django.db import transaction

    with transaction.atomic():
        start = time.perf_counter()
        work()
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def measure(size: int, overdue: int, now: dt.datetime) -> dict:
    from django.db import connection

    from casework.sweep import sweep_run

    fresh_database()
    world = org()
    start = time.perf_counter()
    fill_cases(world, size, now, newly_overdue=overdue, escalated_share=0.02)
    print(f"  {size:>9,} cases made in {time.perf_counter() - start:.1f} s")

    flagged = []

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE casework_case SET escalation_level = 1 WHERE state IN {OPEN} "  # noqa: S608
                "AND stage_due_at <= %s AND escalation_level = 0",
                [now],
            )
            flagged.append(cursor.rowcount)

    fired = []

    def sweep():
        fired.append(sweep_run(now=now).fired)

    timed(baseline)
    timed(sweep)  # warm-up: caches, plans
    baselines = [timed(baseline) for _ in range(RUNS)]
    sweeps = [timed(sweep) for _ in range(RUNS)]
    assert set(flagged) == {overdue}, flagged
    assert set(fired) == {overdue}, fired
    return {"baseline": statistics.median(baselines), "sweep": statistics.median(sweeps)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--overdue", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep bench_workflows afterwards")
    args = parser.parse_args()
    setup_django()
    now = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
    results = {}
    try:
        for size in args.sizes:
            results[size] = measure(size, args.overdue, now)
            r = results[size]
            print(
                f"{size:>9,} open cases, {args.overdue} newly overdue: "
                f"baseline UPDATE {r['baseline'] * 1000:8.1f} ms, "
                f"sweep {r['sweep'] * 1000:8.1f} ms, "
                f"sweep/baseline {r['sweep'] / r['baseline']:.2f} (target <= 3)"
            )
    finally:
        if not args.keep:
            drop_database()
    sizes = sorted(results)
    if len(sizes) >= 2:
        small, large = results[sizes[0]]["sweep"], results[sizes[-1]]["sweep"]
        print(f"sweep {sizes[-1]:,} / sweep {sizes[0]:,}: {large / small:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
