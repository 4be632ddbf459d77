"""Bench data for the workflow benchmarks, made with SQL generate_series (no Python row loops).

Used by bench/sweep.py and bench/staff_case_list.py, with bench/common.py for the databases.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from bench.common import map_cells_paused

DISTRICTS = 20


def broker_in_memory() -> None:
    """The sweep hands its jobs over in one message after commit: to an in-memory broker here,
    so that nothing runs inline in the benchmark."""
    from config.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://localhost/"  # named, so kombu does not warn about it


def org() -> dict:
    """A region with its districts and departments, a category, and one user per role."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from casework import roles
    from casework.models import AuditHead, Category, Department, District, Region, StaffProfile

    for role in roles.ROLES:
        Group.objects.get_or_create(name=role)
    region = Region.objects.create(code="BEN", name_kk="Облыс", name_ru="Область", name_en="Region")
    districts = [
        District.objects.create(
            region=region,
            code=f"BEN-D{i:02d}",
            kind="district",
            name_kk=f"Аудан {i}",
            name_ru=f"Район {i}",
            name_en=f"District {i}",
        )
        for i in range(DISTRICTS)
    ]
    departments = [
        Department.objects.create(
            district=d, code=f"{d.code}-ROADS", name_kk="Жол", name_ru="Дороги", name_en="Roads"
        )
        for d in districts
    ]
    category = Category.objects.create(
        code="pothole", name_kk="Шұңқыр", name_ru="Яма", name_en="Pothole"
    )
    AuditHead.objects.get_or_create(id=1)
    users = {}
    User = get_user_model()
    for role, scope in (
        ("clerk", {"district": districts[0]}),
        ("officer", {"department": departments[0]}),
        ("investigator", {"region": region}),
    ):
        user = User.objects.create_user(f"bench-{role}", password="bench", email=f"{role}@b.kz")
        user.groups.add(Group.objects.get(name=role))
        StaffProfile.objects.create(user=user, **scope)
        users[role] = user
    return {
        "region": region,
        "districts": districts,
        "departments": departments,
        "category": category,
        "users": users,
    }


# The search indexes of casework migration 0006 (on the expressions Django's icontains uses).
TRIGRAM = {
    "case_title_upper_trgm": "UPPER(title::text)",
    "case_address_upper_trgm": "UPPER(address::text)",
    "case_description_upper_trgm": "UPPER(description::text)",
}


@contextlib.contextmanager
def trigram_indexes_rebuilt(cursor):
    """Build the search indexes once after a bulk load instead of row by row during it."""
    for name in TRIGRAM:
        cursor.execute(f"DROP INDEX IF EXISTS {name}")
    yield
    for name, expression in TRIGRAM.items():
        cursor.execute(
            f"CREATE INDEX {name} ON casework_case USING gin ({expression} gin_trgm_ops)"
        )


def fill_cases(world: dict, total: int, now: dt.datetime, *, newly_overdue: int,
               escalated_share: float, closed_share: float = 0.0) -> None:  # fmt: skip
    """`total` cases. The first `newly_overdue` are open with a stage deadline passed in the last
    hour and not escalated; then `escalated_share` of all are open, overdue and already escalated
    (level 1 fired); then `closed_share` are closed; the rest are open and due in the future.
    Every open case has its pending escalations scheduled, as the services would have."""
    from django.db import connection

    region = world["region"].pk
    district0 = world["districts"][0].pk
    department0 = world["departments"][0].pk
    category = world["category"].pk
    escalated = int(total * escalated_share)
    closed = int(total * closed_share)
    params = {
        "total": total,
        "k": newly_overdue,
        "e": newly_overdue + escalated,
        "c": newly_overdue + escalated + closed,
        "now": now,
        "region": region,
        "district0": district0,
        "department0": department0,
        "ndistricts": DISTRICTS,
        "category": category,
    }
    with (
        connection.cursor() as cursor,
        trigram_indexes_rebuilt(cursor),
        map_cells_paused(cursor),
    ):
        cursor.execute(
            """
            INSERT INTO casework_case (
                id, tracking_code, access_token, title, description, category_id, latitude,
                longitude, address, region_id, district_id, department_id, channel, priority,
                state, received_at, due_at, stage_due_at, redirect_due_at, state_changed_at,
                closed_at, reject_reason, reroute_count, rework_count, reopen_count,
                extension_count, escalation_level, event_seq)
            SELECT i,
                'BEN-2026-' || lpad(i::text, 7, '0'),
                md5(i::text || 'token'),
                CASE mod(i, 4) WHEN 0 THEN 'Яма на дороге ' WHEN 1 THEN 'Не горят фонари '
                     WHEN 2 THEN 'Жол бұзылған ' ELSE 'Разрушен тротуар ' END || i,
                'Описание жалобы номер ' || i || ': глубокая яма у дома ' || (mod(i, 150)),
                %(category)s, 50.28 + (mod(i, 1000)) / 10000.0, 57.16 + (mod(i, 997)) / 10000.0,
                'улица Абая, ' || (mod(i, 150)),
                %(region)s,
                %(district0)s + mod(i, %(ndistricts)s),
                %(department0)s + mod(i, %(ndistricts)s),
                'web', 2,
                CASE WHEN i > %(e)s AND i <= %(c)s THEN
                        CASE WHEN mod(i, 5) = 0 THEN 'rejected' ELSE 'verified' END
                     ELSE (ARRAY['received', 'assigned', 'contractor_notified',
                                 'repaired'])[1 + mod(i, 4)]
                END,
                %(now)s - interval '20 days',
                CASE WHEN i <= %(k)s THEN %(now)s + interval '5 days'
                     ELSE %(now)s + make_interval(mins => 14400 + (mod(i, 28800))) END,
                CASE WHEN i <= %(k)s THEN %(now)s - make_interval(mins => 1 + mod(i, 50))
                     WHEN i <= %(e)s THEN %(now)s - make_interval(hours => 2 + mod(i, 18))
                     WHEN i <= %(c)s THEN NULL
                     ELSE %(now)s + make_interval(mins => 60 + (mod(i, 20000))) END,
                NULL,
                %(now)s - interval '3 days',
                CASE WHEN i > %(e)s AND i <= %(c)s
                     THEN %(now)s - make_interval(hours => mod(i, 500)) END,
                '', 0, 0, 0, 0,
                CASE WHEN i > %(k)s AND i <= %(e)s THEN 1 ELSE 0 END,
                0
            FROM generate_series(1, %(total)s::int) AS i
            """,
            params,
        )
        # The services would have scheduled every open case's deadlines.
        cursor.execute(
            """
            INSERT INTO casework_escalation (case_id, level, deadline_at, fire_at, stage, fired_at)
            SELECT c.id, l.level,
                CASE WHEN l.level = 3 THEN c.due_at ELSE c.stage_due_at END,
                CASE l.level WHEN 1 THEN c.stage_due_at
                             WHEN 2 THEN c.stage_due_at + interval '1 day'
                             ELSE c.due_at END,
                c.state,
                CASE WHEN l.level = 1 AND c.escalation_level = 1
                     THEN c.stage_due_at + interval '1 minute' END
            FROM casework_case c CROSS JOIN (VALUES (1), (2), (3)) AS l(level)
            WHERE c.state IN ('received', 'assigned', 'contractor_notified', 'repaired')
            """
        )
        cursor.execute("SELECT setval(pg_get_serial_sequence('casework_case', 'id'), %s)", [total])
        cursor.execute("ANALYZE")


def fill_tasks(world: dict) -> None:
    """One process per case and an open human task for every open case, queued like the flow
    queues them (clerks of the district for `received`, the department for the others)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from casework.models import Department, District

    district_ct = ContentType.objects.get_for_model(District, for_concrete_model=False).pk
    department_ct = ContentType.objects.get_for_model(Department, for_concrete_model=False).pk
    flow = "workflows/flows.CaseFlow"
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO viewflow_process (id, flow_class, status, created, finished, data)
            SELECT c.id, %s,
                CASE WHEN c.closed_at IS NULL THEN 'NEW' ELSE 'DONE' END,
                c.received_at, c.closed_at, '{}'::jsonb
            FROM casework_case c
            """,
            [flow],
        )
        cursor.execute(
            "INSERT INTO workflows_caseprocess (process_ptr_id, case_id) "
            "SELECT id, id FROM casework_case"
        )
        cursor.execute(
            """
            INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, token, data,
                process_id, owner_permission, owner_permission_content_type_id,
                owner_permission_obj_pk)
            SELECT %s || CASE c.state WHEN 'received' THEN 'triage'
                                      WHEN 'assigned' THEN 'plan_repair'
                                      WHEN 'contractor_notified' THEN 'repair'
                                      ELSE 'verify' END,
                'HUMAN', 'NEW', c.state_changed_at, 'start', '{}'::jsonb, c.id,
                CASE c.state WHEN 'received' THEN 'clerk' WHEN 'repaired' THEN 'inspector'
                             ELSE 'officer' END,
                CASE c.state WHEN 'received' THEN %s ELSE %s END,
                (CASE c.state WHEN 'received' THEN c.district_id ELSE c.department_id END)::text
            FROM casework_case c
            WHERE c.closed_at IS NULL
            """,
            [flow + ".", district_ct, department_ct],
        )
        for table in ("viewflow_process", "viewflow_task"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
