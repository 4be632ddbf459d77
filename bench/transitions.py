"""Races: 1,000 times, 2 to 8 threads take a transition on the same case at the same moment.

    .venv/bin/python -m bench.transitions            # 1,000 races on PostgreSQL
    .venv/bin/python -m bench.transitions --races 200

Target: 0 double transitions (exactly one winner per race, every loser told 409) and an intact
audit chain. Also printed: the time of a contended race against an uncontended transition run
in the same process, as a ratio.
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
from collections import Counter

from bench.common import drop_database, fresh_database

DB = "bench_transitions"


def race(attempts) -> list[str]:
    from django.db import connection

    from casework.services import TransitionConflict

    barrier = threading.Barrier(len(attempts))
    outcomes = [""] * len(attempts)

    def run(index, attempt):
        try:
            barrier.wait()
            attempt()
            outcomes[index] = "won"
        except TransitionConflict:
            outcomes[index] = "conflict"
        except Exception as error:
            outcomes[index] = f"error:{type(error).__name__}:{error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--races", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    fresh_database(DB)
    from casework import services
    from casework.audit import chain_verify
    from casework.models import CaseEvent
    from tests.factories import World

    rng = random.Random(args.seed)
    world = World()
    totals: Counter[str] = Counter()
    doubles = 0
    race_times, single_times = [], []
    try:
        for number in range(args.races):
            k = rng.randint(2, 8)
            if number % 4 == 3:  # verify against return-for-rework on a repaired case
                case = world.advance(world.case(), "repaired")
                actions = ["verify", "return_for_rework"]
                attempts = [
                    (lambda pk=case.pk: services.case_verify(pk, actor=world.inspector))
                    if i % 2 == 0
                    else (
                        lambda pk=case.pk: services.case_return_for_rework(
                            pk, actor=world.inspector, reason="Швы"
                        )
                    )
                    for i in range(k)
                ]
            else:  # clerks rejecting the same new complaint
                case = world.case()
                actions = ["reject"]
                attempts = [
                    lambda pk=case.pk: services.case_reject(
                        pk, actor=world.clerk, reason_code="spam", reason="Реклама"
                    )
                ] * k
            start = time.perf_counter()
            outcomes = race(attempts)
            race_times.append(time.perf_counter() - start)
            totals.update(o.split(":")[0] for o in outcomes)
            changes = CaseEvent.objects.filter(case=case, action__in=actions).count()
            if changes != 1 or outcomes.count("won") != 1:
                doubles += 1
                print(f"race {number}: {changes} changes, outcomes {outcomes}")
            # Baseline: the same kind of transition, alone, on a fresh case, same process.
            alone = world.case()
            start = time.perf_counter()
            race(
                [
                    lambda pk=alone.pk: services.case_reject(
                        pk, actor=world.clerk, reason_code="spam", reason="Реклама"
                    )
                ]
            )
            single_times.append(time.perf_counter() - start)
        report = chain_verify()
    finally:
        drop_database(DB)

    ratio = statistics.median(race_times) / statistics.median(single_times)
    print(f"{args.races} races of 2-8 concurrent attempts: {sum(totals.values())} attempts,")
    print(
        f"  won {totals['won']}, conflict (409) {totals['conflict']}, "
        f"other errors {totals['error']}"
    )
    print(f"  double transitions: {doubles}")
    chain = "intact" if report.ok else "BROKEN"
    print(f"  audit chain after the races: {chain} ({report.checked} events)")
    print(
        f"  median race {statistics.median(race_times) * 1000:.1f} ms vs uncontended transition "
        f"{statistics.median(single_times) * 1000:.1f} ms: ratio {ratio:.2f}"
    )
    ok = doubles == 0 and totals["error"] == 0 and report.ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
