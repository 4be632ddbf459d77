"""Benchmark: the red-flag nightly pass over 1M cases, 1M work orders and 200k acts, and what
finding hits adds to accepting a repair.

    DEBUG=1 .venv/bin/python -m bench.red_flags [--cases 1000000] [--acts 200000] [--accepts 5]
        [--database bench_red_flags] [--keep] [--reuse [--acceptance-only]]

Builds PostgreSQL database `--database` (dropped first) with SQL generate_series (no Python row
loops): one region of 20 districts, 40 contractors with 4 contracts per department (some small
ones signed close together: splitting), some contracts modified, `--cases` cases each with one
work order (issued over 90 days, due 10 days later, open ones late; a department's cases share
one contract), `--acts` acceptance acts on verified cases, signed 1 minute to 10 hours after the
repair was reported, by 40 inspectors (the first of them signs two thirds of one department's
acts: an inspector-contractor pair far above its peers), failures on 1 % of the acts, a
"before"/"after" photo check per act (3 % taken before the order, 30 % with no time), rejection
events with their deadline on the rejected cases, two deadline extensions on 2 % of the cases,
appeals on a tenth of the rejections. Then:

1. `manage.py red_flags --full` in a child process: wall time (target <= 600 s) and the child's
   peak resident memory (target <= 1 GB), the hits per indicator;
2. `ANALYZE` of the hits table (what autovacuum would do; this machine's server runs without
   it), then `manage.py red_flags --check` in a child process: must exit 0;
3. `--accepts` repairs accepted through `oversight.services.act_sign` (the baseline: the request
   that accepts the repair), then the red-flag checks of the jobs that acceptance queued (the
   verify and act_signed events, `red_flags_for_event`, each in its own transaction, commit
   included), alternating; prints the ratio of their medians (target <= 0.20: finding hits adds
   at most 20 % to the acceptance).

The database is dropped at the end unless --keep. --reuse measures again on a database a --keep
run left (the pass then finds the hits already stored); --acceptance-only skips steps 1 and 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import time

from bench.common import ADMIN_URL, ROOT, drop_database, fresh_database
from bench.workflow_data import broker_in_memory, fill_cases, org

NAME = "bench_red_flags"
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
CONTRACTORS = 40
INSPECTORS = 40


def _sql(cursor, statement: str, params: dict | None = None) -> None:
    start = time.perf_counter()
    cursor.execute(statement, params or {})
    first = " ".join(statement.split())[:60]
    print(f"  {first}… {time.perf_counter() - start:.1f} s", flush=True)


def build(name: str, cases: int, acts: int) -> dict:
    fresh_database(name)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from casework.models import StaffProfile

    broker_in_memory()
    world = org()
    start = time.perf_counter()
    fill_cases(world, cases, NOW, newly_overdue=0, escalated_share=0.0, closed_share=0.6)
    print(f"{cases:,} cases in {time.perf_counter() - start:.0f} s", flush=True)
    User = get_user_model()
    inspector = User.objects.create_user("bench-inspector", password="bench")
    inspector.groups.add(Group.objects.get(name="inspector"))
    StaffProfile.objects.create(user=inspector, department=world["departments"][0])
    world["users"]["inspector"] = inspector
    params = {
        "now": NOW,
        "contractors": CONTRACTORS,
        "inspectors": INSPECTORS,
        # Department 0's cases are all rejected (bench.workflow_data): the outlier pair is in 1.
        "department0": world["departments"][1].pk,
        "district0": world["districts"][0].pk,
        "ndepartments": len(world["departments"]),
        "officer": world["users"]["officer"].pk,
        "inspector": inspector.pk,
        "acts": acts,
    }
    with connection.cursor() as cursor:
        _sql(
            cursor,
            """
            INSERT INTO contractors_contractor (legal_name, bin, contact_name, email, phone,
                address, in_house)
            SELECT 'ТОО «Подрядчик ' || g || '»', lpad((100000000000 + g)::text, 12, '0'),
                   '', '', '', '', false
            FROM generate_series(1, %(contractors)s) AS g
            """,
            params,
        )
        # Four contracts per department (contractors in turn), a year long; then per department
        # three small ones to one contractor within three weeks (splitting).
        _sql(
            cursor,
            """
            INSERT INTO contractors_contract (contractor_id, department_id, number, signed_on,
                amount_kzt, starts_on, ends_on, warranty_months)
            SELECT (SELECT min(id) FROM contractors_contractor) + mod(d.n * 4 + k, %(contractors)s),
                   d.id, 'C-' || d.n || '-' || k, date '2026-01-10' + k * 40,
                   50000000, date '2026-01-10', date '2026-12-31', 24
            FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM casework_department) d
            CROSS JOIN generate_series(0, 3) AS k
            UNION ALL
            SELECT (SELECT min(id) FROM contractors_contractor) + mod(d.n, %(contractors)s),
                   d.id, 'S-' || d.n || '-' || k, date '2026-03-01' + k * 7,
                   6000000, date '2026-03-01', date '2026-12-31', 24
            FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM casework_department) d
            CROSS JOIN generate_series(0, 2) AS k
            """,
            params,
        )
        _sql(
            cursor,
            """
            INSERT INTO contractors_contractmodification (contract_id, old_amount_kzt,
                new_amount_kzt, old_ends_on, new_ends_on, modified_on, reason, recorded_at)
            SELECT id, amount_kzt, amount_kzt * 1.3, ends_on, ends_on, date '2026-05-01',
                   'Дополнительный объём', %(now)s
            FROM contractors_contract WHERE number LIKE 'C-%%-1'
            """,
            params,
        )
        _sql(
            cursor,
            """
            INSERT INTO contractors_workorder (case_id, contract_id, contractor_id, issued_by_id,
                issued_at, due_at, completed_at, status, note, accepted_at)
            SELECT c.id, k.id, k.contractor_id, %(officer)s,
                   %(now)s - interval '100 days' + mod(c.id, 129600) * interval '1 minute',
                   %(now)s - interval '90 days' + mod(c.id, 129600) * interval '1 minute',
                   CASE WHEN c.state = 'verified' THEN %(now)s - interval '100 days'
                        + (mod(c.id, 129600) + 60 * (1 + mod(c.id, 300))) * interval '1 minute'
                   END,
                   CASE WHEN c.state = 'verified' THEN 'accepted'
                        WHEN c.state = 'rejected' THEN 'superseded' ELSE 'issued' END,
                   '',
                   CASE WHEN c.state = 'verified' THEN c.received_at + interval '20 days' END
            FROM casework_case c
            JOIN LATERAL (
                SELECT id, contractor_id FROM contractors_contract
                WHERE department_id = c.department_id AND number LIKE 'C-%%'
                ORDER BY id OFFSET mod(c.id, 4) LIMIT 1
            ) k ON true
            """,
            params,
        )
        _sql(
            cursor,
            """
            INSERT INTO oversight_person (full_name, email)
            SELECT 'Инспектор ' || g, '' FROM generate_series(1, %(inspectors)s) AS g
            """,
            params,
        )
        _sql(
            cursor,
            """
            INSERT INTO oversight_acceptanceact (work_order_id, case_id, contract_id, number,
                signed_on, signed_at, description, quantity, unit, amount_kzt,
                correction_reason, content_sha256, event_id, created_by_id)
            SELECT w.id, w.case_id, w.contract_id, 'BEN/' || w.case_id,
                   (w.completed_at + (1 + mod(w.case_id, 600)) * interval '1 minute')::date,
                   w.completed_at + (1 + mod(w.case_id, 600)) * interval '1 minute',
                   '', 2.5, 'm2', 20000 + mod(w.case_id, 50) * 1000, '',
                   md5(w.case_id::text) || md5(w.case_id::text), -w.case_id, %(inspector)s
            FROM contractors_workorder w
            WHERE w.status = 'accepted'
            ORDER BY w.case_id
            LIMIT %(acts)s
            """,
            params,
        )
        # One inspector per act, by the case; the first inspector takes two thirds of department
        # 0's acts (all under one contract: a department's cases share one), an outlier pair
        # at every size: about 25 times the acts of a typical pair (a third of one district's
        # acts spread over 40 inspectors).
        _sql(
            cursor,
            """
            INSERT INTO oversight_acceptanceactsignatory (act_id, role, person_id)
            SELECT a.id, 'inspector',
                   CASE WHEN c.department_id = %(department0)s AND mod(a.case_id, 3) <> 0
                        THEN p.first
                        ELSE p.first + mod(a.case_id / 7, %(inspectors)s) END
            FROM oversight_acceptanceact a
            JOIN casework_case c ON c.id = a.case_id
            CROSS JOIN (SELECT min(id) AS first FROM oversight_person) p
            """,
            params,
        )
        _sql(
            cursor,
            """
            INSERT INTO oversight_acceptedworkfailure (act_id, kind, case_id, event_id,
                detected_at)
            SELECT id, 'reopened', case_id, -1000000000 - id, signed_at + interval '60 days'
            FROM oversight_acceptanceact WHERE mod(id, 100) = 0
            """,
        )
        _sql(
            cursor,
            """
            INSERT INTO casework_attachment (case_id, kind, file, original_name, content_type,
                size, sha256, uploaded_at)
            SELECT a.case_id, k.kind, 'bench/' || a.case_id || k.kind || '.jpg', '',
                   'image/jpeg', 1000, md5(a.case_id || k.kind) || md5(k.kind || a.case_id),
                   a.signed_at
            FROM oversight_acceptanceact a CROSS JOIN (VALUES ('before'), ('after')) AS k(kind)
            """,
        )
        _sql(
            cursor,
            """
            INSERT INTO contractors_photocheck (attachment_id, case_id, kind, work_order_id,
                taken_at, taken_before_order, far_from_site, no_time, no_location,
                same_as_before, checked_at)
            SELECT t.id, t.case_id, t.kind, w.id,
                   CASE WHEN mod(t.id, 10) < 3 THEN NULL ELSE w.issued_at + interval '1 hour' END,
                   mod(t.id, 100) < 3, false, mod(t.id, 10) < 3, false, false, t.uploaded_at
            FROM casework_attachment t JOIN contractors_workorder w ON w.case_id = t.case_id
            """,
        )
        # Rejections (with the deadline in force), deadline extensions, appeals: events outside
        # the hash chain (the pass does not read it), numbered after the case's own.
        _sql(
            cursor,
            """
            INSERT INTO casework_caseevent (case_id, seq, role, action, from_state, to_state,
                reason, payload, created_at, prev_hash, hash)
            SELECT c.id, 1, 'clerk', 'reject', 'assigned', 'rejected', 'Не по адресу',
                   jsonb_build_object('answer_due_at', to_char(c.due_at AT TIME ZONE 'UTC',
                                      'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')),
                   c.due_at - (mod(c.id, 400)) * interval '1 hour', '', md5('r' || c.id)
            FROM casework_case c WHERE c.state = 'rejected'
            UNION ALL
            SELECT c.id, 1 + k, 'officer', 'extend_deadline', c.state, c.state, 'Экспертиза',
                   '{}'::jsonb, c.received_at + k * interval '1 day', '', md5('e' || k || c.id)
            FROM casework_case c CROSS JOIN generate_series(1, 2) AS k
            WHERE mod(c.id, 50) = 7
            UNION ALL
            SELECT c.id, 4, 'citizen', 'reopen', 'rejected', 'assigned', 'Обжалование',
                   '{"kind": "appeal"}'::jsonb, c.due_at + interval '2 days', '',
                   md5('o' || c.id)
            FROM casework_case c WHERE c.state = 'rejected' AND mod(c.id, 20) = 5
            """,
        )
        _sql(cursor, "ANALYZE")
    return world


def reused(name: str) -> dict:
    """Django on the database a --keep run left, and what `build` returned for it."""
    os.environ["DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from casework.models import Case, Category, Department, District, Region

    broker_in_memory()
    users = get_user_model().objects.filter(username__startswith="bench-")
    region = Region.objects.get(code="BEN")
    print(f"reusing {name}: {Case.objects.count():,} cases", flush=True)
    return {
        "region": region,
        "districts": list(District.objects.filter(region=region).order_by("id")),
        "departments": list(Department.objects.filter(district__region=region).order_by("id")),
        "category": Category.objects.get(code="pothole"),
        "users": {user.username.removeprefix("bench-"): user for user in users},
    }


def full_pass() -> tuple[float, int, str]:
    """`red_flags --full` in a child: wall seconds, the child's peak RSS (KiB), its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "red_flags", "--full"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=True,
    )
    elapsed = time.perf_counter() - start
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return elapsed, peak, done.stdout


def hits_analyzed() -> None:
    """Statistics for the hits table the pass filled, as autovacuum would gather them (this
    machine's server runs without it): otherwise the planner takes 160,000 hits for none and
    reads all of an indicator's hits to find one case's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE oversight_redflaghit")


def check() -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "red_flags", "--check"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )


def acceptance_ratio(world: dict, rounds: int) -> tuple[float, float]:
    """Median seconds of accepting a repair, and of the red-flag checks its jobs run."""
    from django.contrib.auth.models import Group

    from casework import services
    from casework.models import CaseEvent, StaffProfile
    from contractors.models import Contract, ContractorMember
    from contractors.services import work_order_issue
    from oversight.red_flags.run import red_flags_for_event
    from oversight.services import act_sign
    from tests.factories import image_upload

    department = world["departments"][0]
    district = world["districts"][0]
    contract = Contract.objects.filter(department=department, number__startswith="C-").first()
    contract.districts.add(district)
    contract.categories.add(world["category"])
    contract.ends_on = NOW.date() + dt.timedelta(days=3650)
    contract.starts_on = dt.date(2020, 1, 1)
    contract.save()
    from django.contrib.auth import get_user_model

    contractor_user, made = get_user_model().objects.get_or_create(username="bench-contractor")
    if made:
        contractor_user.groups.add(Group.objects.get(name="contractor"))
        ContractorMember.objects.create(user=contractor_user, contractor_id=contract.contractor_id)
    officer = world["users"]["officer"]
    inspector = world["users"]["inspector"]
    StaffProfile.objects.filter(user=inspector).update(department=department)
    accept, find = [], []
    for n in range(rounds):
        case = services.case_open(
            title="Яма",
            description="Глубокая яма",
            category=world["category"],
            district=district,
            channel="web",
            latitude="50.2839",
            longitude="57.1670",
        )
        services.case_assign(case, actor=world["users"]["clerk"], department=department)
        work_order_issue(case, actor=officer, contract=contract)
        services.case_report_repaired(
            case,
            actor=contractor_user,
            before=[image_upload(f"b{n}.jpg")],
            after=[image_upload(f"a{n}.png", "PNG")],
        )
        start = time.perf_counter()
        act_sign(case, actor=inspector, quantity="2.5", unit="m2", amount_kzt="10000")
        accept.append(time.perf_counter() - start)
        # The job has its event at hand (it reads it for the attribution anyway).
        events = CaseEvent.objects.filter(case=case, action__in=("verify", "act_signed"))
        events = list(events.select_related("case").order_by("seq"))
        start = time.perf_counter()
        for event in events:
            red_flags_for_event(event)
        find.append(time.perf_counter() - start)
    return statistics.median(accept), statistics.median(find)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--acts", type=int, default=200_000)
    parser.add_argument("--accepts", type=int, default=5)
    parser.add_argument("--database", default=NAME, help=f"dropped and made again ({NAME})")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--reuse", action="store_true", help="measure on the database a --keep run left (kept)"
    )
    parser.add_argument(
        "--acceptance-only", action="store_true", help="with --reuse: skip the pass and --check"
    )
    args = parser.parse_args()
    ok = True
    try:
        world = reused(args.database) if args.reuse else build(args.database, args.cases, args.acts)
        if not args.acceptance_only:
            ok &= pass_and_check()
        accept, find = acceptance_ratio(world, args.accepts)
        ratio = find / accept
        print(f"acceptance {accept * 1000:.0f} ms, red-flag checks {find * 1000:.0f} ms: "
              f"ratio {ratio:.2f} (target <= 0.20)")  # fmt: skip
        ok &= ratio <= 0.20
    finally:
        if not (args.keep or args.reuse):
            drop_database(args.database)
    return 0 if ok else 1


def pass_and_check() -> bool:
    """The full pass (time, memory), then `--check`; whether both met their targets."""
    elapsed, peak_kib, output = full_pass()
    print(output)
    print(f"full pass: {elapsed:.0f} s (target <= 600), peak {peak_kib / 1024:.0f} MiB "
          "(target <= 1024)")  # fmt: skip
    hits_analyzed()
    checked = check()
    print(f"check: exit {checked.returncode} {checked.stdout.strip()} {checked.stderr[-300:]}")
    return elapsed <= 600 and peak_kib <= 1024 * 1024 and checked.returncode == 0


if __name__ == "__main__":
    raise SystemExit(main())
