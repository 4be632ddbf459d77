"""Benchmark: the monthly report for a month of 10,000 cases in a database of 1,000,000.

    DEBUG=1 .venv/bin/python bench/report.py [--cases 1000000] [--month-cases 10000] [--keep]
        [--database bench_reports] [--reuse] [--repeats 5]

Makes the PostgreSQL database `--database` (dropped at the end unless --keep), fills it with
SQL `generate_series` (no Python loops over rows), then in the same process times
- baseline: WeasyPrint alone rendering the report's HTML (same options: PDF/A-3u, the CSV
  attachment, our URL fetcher), and
- total: the whole report (SQL gathering, CSV, template, the same rendering),
`--repeats` times each after a warm-up (0: only make the data), and prints total / baseline
(target <= 1.3) and the process's peak resident memory (target <= 1 GB).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = "bench_reports"
# Database names are spelled into DROP/CREATE statements: letters, digits and underscores only.
SAFE_DB_NAME = re.compile(r"^bench_[a-z0-9_]+$")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def setup_django(name: str) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{name}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def fill(total: int, month_cases: int) -> dict:
    """Org rows through the ORM (a handful), cases and events through generate_series."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import connection

    from casework.models import AuditHead, Category, Department, District, Region
    from contractors.models import Contract, Contractor

    region = Region.objects.create(code="AQT", name_kk="Ақтөбе", name_ru="Актюбе", name_en="Aktobe")
    districts = [
        District.objects.create(
            region=region,
            code=f"D{i:02d}",
            kind="district",
            name_kk=f"Аудан {i}",
            name_ru=f"Район {i}",
            name_en=f"District {i}",
        )
        for i in range(10)
    ]
    departments = [
        Department.objects.create(
            district=d,
            code=f"{d.code}-ROADS",
            name_kk="Жол бөлімі",
            name_ru="Отдел дорог",
            name_en="Roads",
        )
        for d in districts
    ]
    category = Category.objects.create(
        code="pothole", name_kk="Шұңқыр", name_ru="Яма", name_en="Pothole"
    )
    contractor = Contractor.objects.create(legal_name="ТОО «Жол Құрылыс»", bin="200140000015")
    officer = get_user_model().objects.create_user("bench-officer")
    contract = Contract.objects.create(
        contractor=contractor,
        department=departments[0],
        number="B-1",
        signed_on=dt.date(2021, 1, 1),
        amount_kzt=1,
        starts_on=dt.date(2021, 1, 1),
        ends_on=dt.date(2030, 1, 1),
    )
    AuditHead.objects.get_or_create(id=1)
    old = total - month_cases
    params = {
        "region": region.pk,
        "d0": districts[0].pk,
        "dep0": departments[0].pk,
        "category": category.pk,
        "old": old,
        "total": total,
        "contract": contract.pk,
        "contractor": contractor.pk,
        "officer": officer.pk,
    }
    timings = {}
    with connection.cursor() as cur:
        # Bulk load: skip the per-row foreign-key triggers (the rows are consistent by
        # construction); the audit tables' own guards only refuse UPDATE and DELETE.
        cur.execute("SET session_replication_role = replica")
        started = time.perf_counter()
        # Old cases: five years before September 2026, nearly all verified; 1 in 200 stalled.
        # The month's cases: September 2026, spread over its states by g % 5.
        cur.execute(
            """
INSERT INTO casework_case (tracking_code, access_token, title, description, category_id,
  address, region_id, district_id, department_id, channel, priority, state, received_at,
  due_at, stage_due_at, state_changed_at, closed_at, reject_reason, reroute_count, rework_count,
  reopen_count, extension_count, escalation_level, event_seq)
SELECT 'AQT-' || g, md5(g::text) || md5((g * 7)::text), 'Яма на дороге', 'Шұңқыр, жол бұзылған',
  %(category)s, 'ул. Абая, ' || (g %% 200), %(region)s, %(d0)s + (g %% 10), %(dep0)s + (g %% 10),
  'web', 2, st.state, rc.received_at, rc.received_at + interval '21 days', NULL,
  rc.received_at, CASE WHEN st.state = 'verified' THEN rc.received_at + interval '150 hours' END,
  '', 0, 0, 0, 0, 0, st.steps
FROM generate_series(1, %(total)s) g
CROSS JOIN LATERAL (SELECT CASE WHEN g <= %(old)s
    THEN timestamptz '2021-09-01 04:00+00' + (g::float / %(old)s) * interval '1821 days'
    ELSE timestamptz '2026-08-31 19:00+00' + ((g - %(old)s)::float / (%(total)s - %(old)s + 1))
         * interval '29 days 20 hours' END AS received_at) rc
CROSS JOIN LATERAL (SELECT
    CASE WHEN g <= %(old)s AND g %% 200 = 0 THEN 'assigned'
         WHEN g <= %(old)s THEN 'verified'
         ELSE (ARRAY['received','assigned','contractor_notified','repaired','verified'])[g %% 5 + 1]
    END AS state,
    CASE WHEN g <= %(old)s AND g %% 200 = 0 THEN 2 WHEN g <= %(old)s THEN 5 ELSE g %% 5 + 1 END
      AS steps) st
""",
            params,
        )
        timings["cases"] = time.perf_counter() - started
        started = time.perf_counter()
        cur.execute(
            """
INSERT INTO casework_caseevent (case_id, seq, actor_id, role, action, from_state, to_state,
  reason, payload, created_at, prev_hash, hash)
SELECT c.id, s.seq, NULL, 'system', s.action, s.from_state, s.to_state, '',
  -- As the services write them: the deadlines in force after each event on every lifecycle
  -- event, and the work order's due moment on notify_contractor.
  CASE WHEN s.action = 'notify_contractor' THEN jsonb_build_object('due_at',
         to_char((c.received_at + interval '14 days') AT TIME ZONE 'UTC',
                 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'))
       ELSE '{}'::jsonb END
  || jsonb_build_object(
       'answer_due_at', to_char(c.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
       'stage_due_at', CASE
         WHEN s.action = 'verify' THEN NULL
         WHEN s.action = 'notify_contractor' THEN
           to_char((c.received_at + interval '14 days') AT TIME ZONE 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
         ELSE to_char((c.received_at + (s.hours + 72) * interval '1 hour') AT TIME ZONE 'UTC',
                      'YYYY-MM-DD"T"HH24:MI:SS"+00:00"') END),
  c.received_at + s.hours * interval '1 hour',
  md5(c.id || ':' || (s.seq - 1)) || md5((s.seq - 1) || ':' || c.id),
  md5(c.id || ':' || s.seq) || md5(s.seq || ':' || c.id)
FROM casework_case c
JOIN (VALUES (1, 'open', '', 'received', 0),
             (2, 'assign', 'received', 'assigned', 20),
             (3, 'notify_contractor', 'assigned', 'contractor_notified', 50),
             (4, 'report_repaired', 'contractor_notified', 'repaired', 110),
             (5, 'verify', 'repaired', 'verified', 150))
  AS s(seq, action, from_state, to_state, hours) ON s.seq <= c.event_seq
""",
        )
        # Extensions (two on some cases: repeated-extension flags) and escalations.
        cur.execute(
            """
INSERT INTO casework_caseevent (case_id, seq, actor_id, role, action, from_state, to_state,
  reason, payload, created_at, prev_hash, hash)
SELECT c.id, c.event_seq + x.n, NULL, x.role, x.action, c.state, c.state, 'Решение',
  CASE WHEN x.action = 'extend_deadline' THEN jsonb_build_object('due_at',
         to_char((c.received_at + (20 + x.n) * interval '1 day') AT TIME ZONE 'UTC',
                 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'))
       ELSE jsonb_build_object('level', x.n) END,
  c.received_at + interval '160 hours' + x.n * interval '1 hour',
  md5(c.id || ':x' || x.n) || md5(x.n || ':x' || c.id),
  md5(c.id || ':y' || x.n) || md5(x.n || ':y' || c.id)
FROM casework_case c
JOIN (VALUES (1, 'extend_deadline', 'officer'), (2, 'extend_deadline', 'officer'),
             (3, 'escalate', 'system')) AS x(n, action, role)
  ON (x.action = 'escalate' AND c.id %% 37 = 0) OR (x.action <> 'escalate' AND c.id %% 53 = 0)
WHERE c.received_at >= timestamptz '2026-06-01 00:00+05'
""",
            params,
        )
        timings["events"] = time.perf_counter() - started
        cur.execute(
            """
INSERT INTO contractors_workorder (case_id, contract_id, contractor_id, issued_by_id, issued_at,
  due_at, status, note)
SELECT c.id, %(contract)s, %(contractor)s, %(officer)s, c.received_at + interval '50 hours',
  c.received_at + interval '14 days',
  CASE c.state WHEN 'verified' THEN 'accepted' WHEN 'repaired' THEN 'reported' ELSE 'issued' END,
  ''
FROM casework_case c WHERE c.event_seq >= 3 AND c.received_at >= timestamptz '2026-06-01 00:00+05'
""",
            params,
        )
        cur.execute(
            """
INSERT INTO casework_attachment (case_id, kind, file, original_name, content_type, size, sha256,
  uploaded_at)
SELECT c.id, k.kind, 'bench/' || c.id || k.kind || '.jpg', 'p.jpg', 'image/jpeg', 1000,
  CASE WHEN c.id %% 997 = 0 THEN md5('shared') || md5('shared')
       ELSE md5(c.id || k.kind) || md5(k.kind || c.id) END,
  c.received_at + interval '110 hours'
FROM casework_case c CROSS JOIN (VALUES ('before'), ('after')) AS k(kind)
WHERE c.event_seq >= 4 AND c.received_at >= timestamptz '2026-06-01 00:00+05'
""",
            params,
        )
        # Red-flag hits as the nightly pass leaves them at this size (about 160,000 at 1M
        # cases): one on every sixth case, the ten indicators in turn, each with its first dated
        # figures; the report reads them as they stood at the month's end.
        cur.execute(
            """
INSERT INTO oversight_redflaghit (indicator, key, subject_kind, subject_id, subject_name,
  evidence, money_kzt, score, details, occurred_at, status, dismissal_reason, first_found_at,
  last_found_at, case_id, contractor_id, department_id, district_id, region_id)
SELECT (ARRAY['accepted_work_failed','photo_evidence','rubber_stamp',
    'inspector_contractor_affinity','late_contractor_new_orders','contract_splitting',
    'contract_modified','rejected_then_reopened','rejection_near_deadline',
    'deadline_extended_twice'])[c.id %% 10 + 1],
  'bench:' || c.id, 'case', c.id, c.tracking_code || ' — ' || c.title, '[]'::jsonb,
  (c.id %% 97) * 10000, 20 + c.id %% 70, '{}'::jsonb, c.received_at + interval '160 hours',
  'open', '',
  c.received_at + interval '170 hours', c.received_at + interval '170 hours',
  c.id, %(contractor)s, c.department_id, c.district_id, c.region_id
FROM casework_case c WHERE c.id %% 6 = 0
""",
            params,
        )
        cur.execute(
            """
INSERT INTO oversight_redflaghitfigures (hit_id, recorded_at, money_kzt, score, occurred_at)
SELECT id, first_found_at, money_kzt, score, occurred_at FROM oversight_redflaghit
"""
        )
        cur.execute("SET session_replication_role = DEFAULT")
        cur.execute("ANALYZE")
        cur.execute("SELECT count(*) FROM casework_case")
        timings["case_rows"] = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM casework_caseevent")
        timings["event_rows"] = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM oversight_redflaghit")
        timings["hit_rows"] = cur.fetchone()[0]
    return {"region": region, **timings}


def measure(region, repeats: int) -> dict:
    import datetime as dt

    from casework import clock
    from reports.documents import monthly_build
    from reports.periods import Scope, period_for
    from reports.render import FileToAttach, pdf_render

    period = period_for(dt.date(2026, 9, 1))
    scope = Scope(region)
    moment = clock.now()
    warm = monthly_build(scope, period, language="ru", moment=moment)
    csv_name = "cases.csv"
    # The CSV bytes as the report attaches them, for the baseline's identical rendering.
    from reports import monthly
    from reports.documents import _case_list
    from reports.sql import report_snapshot

    with report_snapshot():
        data, query = monthly.monthly_gather(scope, period)
        csv_content, _rows_sha, csv_count = _case_list(
            monthly.case_rows(query, data["flags"], period)
        )
    attachment = (FileToAttach(csv_name, csv_content, "cases"),)
    totals, baselines, gathers = [], [], []
    for _ in range(repeats):
        started = time.perf_counter()
        pdf_render(warm.html, moment=moment, attachments=attachment, identifier="x" * 32)
        baselines.append(time.perf_counter() - started)
        started = time.perf_counter()
        built = monthly_build(scope, period, language="ru", moment=moment)
        totals.append(time.perf_counter() - started)
        started = time.perf_counter()
        with report_snapshot():
            gathered, q = monthly.monthly_gather(scope, period)
            sum(1 for _row in monthly.case_rows(q, gathered["flags"], period))
        gathers.append(time.perf_counter() - started)
    return {
        "baseline": statistics.median(baselines),
        "total": statistics.median(totals),
        "gather": statistics.median(gathers),
        "best_ratio": min(totals) / min(baselines),
        "gathers": gathers,
        "baselines": baselines,
        "totals": totals,
        "pages": built.pdf.content.count(b"/Type /Page\n") or None,
        "pdf_bytes": len(built.pdf.content),
        "csv_rows": csv_count,
        "flags": {k: len(v) for k, v in data["flags"].items()},
        "received": data["figures"]["received"],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--month-cases", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5, help="0: only make the data")
    parser.add_argument("--database", default=DB_NAME, help=f"bench_<name> ({DB_NAME})")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--reuse", action="store_true", help="measure on the database a --keep run left"
    )
    args = parser.parse_args()
    name = args.database
    if not SAFE_DB_NAME.match(name):
        parser.error(f"--database {name!r}: expected bench_ followed by a-z, 0-9 or _")
    if not args.reuse:
        # FORCE ends leftover sessions of an interrupted earlier run of this benchmark.
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin(f"CREATE DATABASE {name}")
    try:
        setup_django(name)
        if args.reuse:
            from casework.models import CaseEvent, Region

            filled = {"region": Region.objects.get(code="AQT")}
            print(
                f"data: reusing {filled['region'].case_set.count():,} cases, "
                f"{CaseEvent.objects.count():,} events"
            )
        else:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            filled = fill(args.cases, args.month_cases)
            print(
                f"data: {filled['case_rows']:,} cases, {filled['event_rows']:,} events, "
                f"{filled['hit_rows']:,} red-flag hits "
                f"in {time.perf_counter() - started:.1f} s (generate_series)"
            )
        if args.repeats <= 0:
            return 0
        result = measure(filled["region"], args.repeats)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ratio = result["total"] / result["baseline"]
        print(
            f"month: {result['received']:,} received, {result['csv_rows']:,} cases in the CSV, "
            f"flags {result['flags']}, PDF {result['pdf_bytes']:,} bytes"
        )
        print(
            f"weasyprint alone (baseline): {result['baseline']:.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in result['baselines'])})"
        )
        print(
            f"whole report: {result['total']:.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in result['totals'])})"
        )
        print(
            f"gathering alone (SQL + CSV rows): {result['gather']:.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in result['gathers'])})"
        )
        print(f"ratio total / baseline, medians: {ratio:.2f} (target <= 1.30)")
        print(f"ratio total / baseline, best runs: {result['best_ratio']:.2f}")
        print(f"peak resident memory: {peak_mb:.0f} MB (target <= 1024 MB)")
        return 0 if ratio <= 1.3 and peak_mb <= 1024 else 1
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
