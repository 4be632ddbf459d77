"""Benchmark: the deadline sweep over 100k and over 1M open cases, the same number newly overdue.

    DEBUG=1 .venv/bin/python -m bench.sweep [--sizes 100000 1000000] [--overdue 1000]

Builds one PostgreSQL database per size (bench_sweep_<size>, generate_series; 2% of the cases are
already overdue and escalated, the rest due later; every open case has its escalations scheduled
as the services would) and then, in alternating rounds so that the machine's noise falls on all
alike, times inside transactions that are rolled back (every run sees the same data):

- baseline: one plain SQL UPDATE that flags the newly overdue rows (open, stage deadline passed,
  not escalated yet) through the existing (state, stage_due_at) index;
- sweep: `casework.sweep.sweep_run`, which for each of those rows also fires its escalation,
  appends a hash-chained CaseEvent, writes the case's history row and queues the notifications.

Prints medians, sweep / baseline per size (target <= 3) and sweep(largest) / sweep(smallest)
(target <= 1.5). The databases are dropped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from bench.common import drop_database, fresh_database, ms, use_database
from bench.workflow_data import broker_in_memory, fill_cases, org

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
OPEN = "('received', 'assigned', 'contractor_notified', 'repaired')"


def build(name: str, size: int, overdue: int) -> None:
    fresh_database(name)
    broker_in_memory()
    start = time.perf_counter()
    fill_cases(org(), size, NOW, newly_overdue=overdue, escalated_share=0.02)
    print(f"{name}: {size:,} open cases made in {time.perf_counter() - start:.0f} s")


def rolled_back(work) -> float:
    from django.db import transaction

    with transaction.atomic():
        start = time.perf_counter()
        work()
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def baseline() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE casework_case SET escalation_level = 1 WHERE state IN {OPEN} "
            "AND stage_due_at <= %s AND escalation_level = 0",
            [NOW],
        )
        return cursor.rowcount


def sweep() -> int:
    from casework.sweep import sweep_run

    return sweep_run(now=NOW).fired


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--overdue", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    names = {size: f"bench_sweep_{size}" for size in args.sizes}
    samples = {(size, kind): [] for size in args.sizes for kind in ("baseline", "sweep")}
    try:
        for size, name in names.items():
            build(name, size, args.overdue)
        for round_no in range(args.rounds + 1):
            order = args.sizes if round_no % 2 == 0 else list(reversed(args.sizes))
            for size in order:
                use_database(names[size])
                flagged, fired = [], []
                pair = [("baseline", lambda out=flagged: out.append(baseline())),
                        ("sweep", lambda out=fired: out.append(sweep()))]  # fmt: skip
                for kind, work in pair if round_no % 2 == 0 else reversed(pair):
                    elapsed = rolled_back(work)
                    if round_no:  # round 0 warms caches and plans
                        samples[(size, kind)].append(elapsed)
                assert flagged == [args.overdue] and fired == [args.overdue], (flagged, fired)
    finally:
        for name in names.values():
            drop_database(name)

    print(f"deadline sweep, median of {args.rounds} rounds, {args.overdue} newly overdue each")
    print(f"{'open cases':>12} {'baseline UPDATE':>16} {'sweep':>11} {'sweep/baseline':>15}")
    ok = True
    for size in args.sizes:
        base = statistics.median(samples[(size, "baseline")])
        swept = statistics.median(samples[(size, "sweep")])
        ok &= swept / base <= 3
        print(f"{size:>12,} {ms(base):>16} {ms(swept):>11} {swept / base:>15.2f}")
    small, large = min(args.sizes), max(args.sizes)
    scale = statistics.median(samples[(large, "sweep")]) / statistics.median(
        samples[(small, "sweep")]
    )
    ok &= scale <= 1.5
    print(f"sweep {large:,} / sweep {small:,}: {scale:.2f} (target <= 1.5)")
    print("targets: sweep/baseline <= 3 at each size, scale <= 1.5:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
