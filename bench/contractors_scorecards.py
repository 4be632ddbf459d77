"""Benchmark: contractor scorecards and officials' failed sign-offs over 1M work orders.

Run (PostgreSQL on 127.0.0.1; makes and drops the database `bench_contractors`):

    .venv/bin/python -m bench.contractors_scorecards [--orders 1000000]

The data (cases, work orders, audit events, warranty claims) is made with SQL generate_series.
For one month and one year of it, the figures are computed twice in this process: by
`contractors.scorecards` (SQL aggregates) and by a baseline that fetches the rows of the period
and counts them in Python, as a report written without aggregates would. It prints the time of
each and the ratio baseline / aggregates, and checks the two agree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections import defaultdict

from bench.common import drop_database, fresh_database

DB_NAME = "bench_contractors"


def _generate(orders: int, contractors: int = 50) -> None:
    """Reference rows through the ORM; the million rows through generate_series."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from casework.models import Category, Department, District, Region
    from contractors.models import Contract, Contractor
    from tests.factories import valid_bin

    region = Region.objects.create(code="BEN", name_kk="Б", name_ru="Б", name_en="B")
    districts = [
        District.objects.create(
            region=region, code=f"D{i}", kind="city", name_kk="Д", name_ru="Д", name_en="D"
        )
        for i in range(10)
    ]
    departments = [
        Department.objects.create(
            district=d, code=f"{d.code}-R", name_kk="Ж", name_ru="Д", name_en="R"
        )
        for d in districts
    ]
    category = Category.objects.create(code="pothole", name_kk="Ш", name_ru="Я", name_en="P")
    users = [get_user_model().objects.create(username=f"official{i}") for i in range(40)]
    firms = [
        Contractor.objects.create(legal_name=f"ТОО «Бенч {i:02d}»", bin=valid_bin(100 + i))
        for i in range(contractors)
    ]
    contracts = []
    for i, firm in enumerate(firms):
        contract = Contract.objects.create(
            contractor=firm,
            department=departments[i % 10],
            number=f"B-{i}",
            signed_on=dt.date(2024, 1, 1),
            amount_kzt=1,
            starts_on=dt.date(2024, 1, 1),
            ends_on=dt.date(2027, 12, 31),
        )
        contracts.append(contract)
    first_user, first_contract = users[0].pk, contracts[0].pk
    first_district = districts[0].pk
    first_department = departments[0].pk
    params = {
        "n": orders,
        "region": region.pk,
        "district0": first_district,
        "department0": first_department,
        "category": category.pk,
        "user0": first_user,
        "contract0": first_contract,
        "firm0": firms[0].pk,
        "firms": contractors,
        "step": 730 * 86400 / orders,  # two years of orders
    }
    with connection.cursor() as cursor:
        # Two years of cases, one work order each; ids of districts, departments, firms and
        # officials were made consecutively above.
        cursor.execute(
            """
            INSERT INTO casework_case (
                id, tracking_code, access_token, title, description, category_id, latitude,
                longitude, address, region_id, district_id, department_id, channel, priority,
                state, received_at, due_at, state_changed_at, reject_reason, reroute_count,
                rework_count, reopen_count, extension_count, escalation_level, event_seq)
            SELECT i, 'BEN-' || i, md5('t' || i), 'Яма', 'Яма на дороге', %(category)s,
                   43 + (i %% 1000) / 1000.0, 71 + (i %% 997) / 1000.0, '', %(region)s,
                   %(district0)s + i %% 10, %(department0)s + i %% 10, 'web', 2,
                   'verified', t, t + interval '21 days', t, '', 0, 0, 0, 0, 0, 3
            FROM (SELECT i, timestamptz '2024-11-01' + (i * %(step)s * interval '1 second') AS t
                  FROM generate_series(1, %(n)s) AS i) s
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO contractors_workorder (
                id, case_id, contract_id, contractor_id, issued_by_id, issued_at, due_at,
                acknowledge_due_at, acknowledged_at, completed_at, status, note,
                working_days_late, accepted_at, accepted_by_id, warranty_ends_at)
            SELECT i, i, %(contract0)s + f, %(firm0)s + f, %(user0)s + (i %% 20),
                   t, t + interval '10 days', t + interval '1 day', t + interval '3 hours',
                   t + (i %% 17) * interval '1 day',
                   CASE WHEN i %% 23 = 0 THEN 'issued' ELSE 'accepted' END, '',
                   CASE WHEN i %% 17 > 10 THEN ((i %% 17) - 10) * 5 / 7 ELSE 0 END,
                   t + (i %% 17 + 2) * interval '1 day', %(user0)s + 20 + (i %% 20),
                   t + interval '2 years'
            FROM (SELECT i, (i * 7) %% %(firms)s AS f,
                         timestamptz '2024-11-01' + (i * %(step)s * interval '1 second')
                           + interval '1 day' AS t
                  FROM generate_series(1, %(n)s) AS i) s
            """,
            params,
        )
        cursor.execute(
            """
            UPDATE contractors_workorder SET completed_at = NULL, accepted_at = NULL,
                   accepted_by_id = NULL, warranty_ends_at = NULL, working_days_late = NULL
            WHERE status = 'issued'
            """
        )
        cursor.execute("ANALYZE casework_case, contractors_workorder")
        # Audit events: a verification for every accepted order, a return for one in nine, a
        # reopening for one in thirty-one (after the verification).
        cursor.execute(
            """
            INSERT INTO casework_caseevent (case_id, seq, actor_id, role, action, from_state,
                to_state, reason, payload, created_at, prev_hash, hash)
            SELECT w.case_id, e.seq, e.actor, e.role, e.action, e.from_state, e.to_state, '',
                   jsonb_build_object('work_order_issued_by', w.issued_by_id), e.at,
                   repeat('0', 64), md5(w.id || e.action) || md5(e.action || w.id)
            FROM contractors_workorder w
            CROSS JOIN LATERAL (VALUES
                (1, w.accepted_by_id, 'inspector', 'return_for_rework', 'repaired',
                 'contractor_notified', w.completed_at - interval '1 hour', w.id %% 9 = 0),
                (2, w.accepted_by_id, 'inspector', 'verify', 'repaired', 'verified',
                 w.accepted_at, true),
                (3, %(user0)s, 'clerk', 'reopen', 'verified', 'assigned',
                 w.accepted_at + interval '20 days', w.id %% 31 = 0)
            ) AS e(seq, actor, role, action, from_state, to_state, at, wanted)
            WHERE w.status = 'accepted' AND e.wanted
            """,
            params,
        )
        cursor.execute("ANALYZE casework_caseevent")
        cursor.execute(
            """
            INSERT INTO contractors_warrantyclaim (case_id, original_case_id, original_order_id,
                contractor_id, contract_id, verified_by_id, verification_event_id,
                work_order_issued_by_id, distance_m, repair_accepted_at, warranty_ends_at,
                opened_at)
            SELECT w.case_id + 1, w.case_id, w.id, w.contractor_id, w.contract_id,
                   w.accepted_by_id, v.id, w.issued_by_id, 12.5, w.accepted_at,
                   w.warranty_ends_at, w.accepted_at + interval '40 days'
            FROM contractors_workorder w
            JOIN casework_caseevent v ON v.case_id = w.case_id AND v.action = 'verify'
            WHERE w.status = 'accepted' AND w.id %% 53 = 0 AND w.id < %(n)s
            """,
            params,
        )
        for table in (
            "casework_case",
            "contractors_workorder",
            "casework_caseevent",
            "contractors_warrantyclaim",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")


def _baseline_contractors(start, end, now) -> dict[int, tuple]:
    """Without aggregates: fetch the period's rows and count them in Python."""
    from casework import deadlines
    from casework.models import CaseEvent
    from contractors.models import WarrantyClaim, WorkOrder

    per = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])
    rows = (
        WorkOrder.objects.filter(issued_at__gte=start, issued_at__lt=end)
        .exclude(status="superseded")
        .values_list("contractor_id", "status", "completed_at", "due_at", "working_days_late")
    )
    for contractor, status, completed, due, late_days in rows.iterator(chunk_size=5000):
        p = per[contractor]
        p[0] += 1
        if status in ("reported", "accepted"):
            if completed <= due:
                p[1] += 1
            else:
                p[2] += 1
                p[3] += late_days or 0
        elif status in ("issued", "acknowledged", "returned") and due < now:
            p[2] += 1
            p[3] += max(0, deadlines.working_days_between(due, now))
    events = list(
        CaseEvent.objects.filter(
            action__in=["return_for_rework", "reopen"], created_at__gte=start, created_at__lt=end
        ).values_list("case_id", "created_at", "action", "from_state")
    )
    case_ids = sorted({e[0] for e in events})
    orders_of = defaultdict(list)
    for i in range(0, len(case_ids), 10_000):
        chunk = WorkOrder.objects.filter(case_id__in=case_ids[i : i + 10_000]).values_list(
            "case_id", "issued_at", "id", "contractor_id"
        )
        for case_id, issued_at, pk, contractor in chunk:
            orders_of[case_id].append((issued_at, pk, contractor))
    for case_id, at, action, from_state in events:
        if action == "reopen" and from_state != "verified":
            continue
        before = [o for o in orders_of[case_id] if o[0] <= at]
        if before:
            per[max(before)[2]][4 if action == "return_for_rework" else 5] += 1
    claims = WarrantyClaim.objects.filter(opened_at__gte=start, opened_at__lt=end)
    for contractor in claims.values_list("contractor_id", flat=True).iterator():
        per[contractor][6] += 1
    return {k: tuple(v) for k, v in per.items()}


def _timed(func, *args, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = func(*args)
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    os.environ.pop("REDIS_URL", None)
    fresh_database(DB_NAME)
    try:
        began = time.perf_counter()
        _generate(args.orders)
        print(f"generated {args.orders:,} work orders in {time.perf_counter() - began:.1f} s")
        from django.utils import timezone

        from contractors.scorecards import contractor_scorecards, official_failed_signoffs

        now = timezone.now()
        zone = timezone.get_current_timezone()
        periods = {
            "one month": (
                dt.datetime(2025, 3, 1, tzinfo=zone),
                dt.datetime(2025, 4, 1, tzinfo=zone),
            ),
            "one year": (
                dt.datetime(2025, 1, 1, tzinfo=zone),
                dt.datetime(2026, 1, 1, tzinfo=zone),
            ),
        }
        for label, (start, end) in periods.items():
            sql_s, scores = _timed(contractor_scorecards, start, end)
            base_s, baseline = _timed(_baseline_contractors, start, end, now, repeat=1)
            got = {
                s.contractor_id: (
                    s.orders,
                    s.on_time,
                    s.returned_at_verification,
                    s.reopened_after_verification,
                    s.warranty_claims,
                )
                for s in scores
            }
            want = {k: (v[0], v[1], v[4], v[5], v[6]) for k, v in baseline.items()}
            agree = "agree" if got == want else "DISAGREE"
            orders = sum(s.orders for s in scores)
            print(
                f"contractor_scorecards, {label} ({orders:,} orders): aggregates {sql_s:.3f} s, "
                f"python baseline {base_s:.3f} s, ratio {base_s / sql_s:.1f}x ({agree})"
            )
            off_s, officials = _timed(official_failed_signoffs, start, end)
            print(
                f"official_failed_signoffs, {label}: {off_s:.3f} s for "
                f"{sum(o.signoffs for o in officials):,} sign-offs"
            )
            if got != want:
                return 1
        return 0
    finally:
        if not args.keep:
            drop_database(DB_NAME)


if __name__ == "__main__":
    sys.exit(main())
