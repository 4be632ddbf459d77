"""3. Rubber stamp: a repair accepted within minutes of being reported, with no inspector photo.

An act (not a correction) signed less than RED_FLAG_RUBBER_STAMP_MINUTES after the contractor
reported the repair (`WorkOrder.completed_at`), carrying no photo of the inspector's own: nobody
can have gone to the site and looked.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Case, CaseEvent
from contractors.models import Contract, WorkOrder
from oversight.models import AcceptanceAct, AcceptanceActPhoto, AcceptanceActSignatory
from oversight.red_flags.base import (
    Found,
    Indicator,
    Scope,
    case_filter,
    evidence_item,
    setting,
)
from oversight.red_flags.common import (
    case_conditions,
    decimal_of,
    event_label,
    minutes_param,
    moment_of,
    plus_minutes,
)

CODE = "rubber_stamp"
INSPECTOR = AcceptanceActSignatory.Role.INSPECTOR.value


def _minutes() -> int:
    return int(setting("RUBBER_STAMP_MINUTES", 30))


# Static SQL (the checks after every acceptance run it; built by the ORM, building it cost more
# Python than the database spends answering). The same query as the ORM's: the inspector and the
# event's number as subqueries (NULL when absent, no row dropped).
_ACT = AcceptanceAct._meta.db_table
_SQL = (
    "SELECT a.id, a.number, a.amount_kzt, a.signed_at, a.event_id, a.case_id, "  # noqa: S608
    "c.tracking_code, "
    "c.region_id, c.district_id, k.department_id, k.contractor_id, a.work_order_id, "
    "w.completed_at, "
    f"(SELECT s.person_id FROM {AcceptanceActSignatory._meta.db_table} s "
    "WHERE s.act_id = a.id AND s.role = %s LIMIT 1), "
    f"(SELECT e.seq FROM {CaseEvent._meta.db_table} e WHERE e.id = a.event_id LIMIT 1) "
    f"FROM {_ACT} a "
    f"JOIN {Case._meta.db_table} c ON c.id = a.case_id "
    f"JOIN {WorkOrder._meta.db_table} w ON w.id = a.work_order_id "
    f"JOIN {Contract._meta.db_table} k ON k.id = a.contract_id "
    "WHERE {cases} AND a.supersedes_id IS NULL AND w.completed_at IS NOT NULL "
    "AND a.signed_at >= w.completed_at AND a.signed_at < {limit} "
    f"AND NOT EXISTS (SELECT 1 FROM {AcceptanceActPhoto._meta.db_table} p "
    "WHERE p.act_id = a.id AND p.kind = %s)"
)
_FIELDS = (
    "id",
    "number",
    "amount_kzt",
    "signed_at",
    "event_id",
    "case_id",
    "case__tracking_code",
    "case__region_id",
    "case__district_id",
    "contract__department_id",
    "contract__contractor_id",
    "work_order_id",
    "work_order__completed_at",
    "inspector",
    "event_seq",
)


def _rows(scope: Scope | None, minutes: int) -> list[dict]:
    rows = []
    limit = plus_minutes("w.completed_at")
    with connection.cursor() as cursor:
        for cases, ids in case_conditions(scope, "a.case_id"):
            cursor.execute(
                _SQL.format(cases=cases, limit=limit),
                [INSPECTOR, *ids, minutes_param(minutes), "inspection"],
            )
            rows += [dict(zip(_FIELDS, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["amount_kzt"] = decimal_of(row["amount_kzt"])
        row["signed_at"] = moment_of(row["signed_at"])
        row["work_order__completed_at"] = moment_of(row["work_order__completed_at"])
    return rows


def find(scope: Scope | None) -> list[Found]:
    minutes = _minutes()
    rows = _rows(scope, minutes)
    found = []
    for row in rows:
        took = row["signed_at"] - row["work_order__completed_at"]
        code = row["case__tracking_code"]
        found.append(
            Found(
                indicator=CODE,
                key=f"{CODE}:act:{row['id']}",
                subject_kind="act",
                subject_id=row["id"],
                subject_name=f"№ {row['number']}",
                evidence=[
                    evidence_item("act", row["id"], row["number"]),
                    evidence_item("event", row["event_id"], event_label(code, row["event_seq"])),
                    evidence_item("work_order", row["work_order_id"], code),
                ],
                money_kzt=row["amount_kzt"],
                score=60,
                details={
                    "minutes_after_report": round(took.total_seconds() / 60, 1),
                    "threshold_minutes": minutes,
                    "inspector_photos": 0,
                },
                region_id=row["case__region_id"],
                district_id=row["case__district_id"],
                department_id=row["contract__department_id"],
                case_id=row["case_id"],
                contractor_id=row["contract__contractor_id"],
                person_id=row["inspector"],
                occurred_at=row["signed_at"],
            )
        )
    return found


def stored_within(scope: Scope | None) -> Q:
    return case_filter(scope, "case_id")


INDICATOR = Indicator(
    code=CODE,
    name=_("Accepted without inspection"),
    why=_(
        "The inspector accepted the repair minutes after the contractor reported it and took "
        "no photo of their own: there was no time to go to the site and look. Acceptance on "
        "paper is how unfinished work gets paid for."
    ),
    legal_basis=_(
        "None specific in law; the acceptance act certifies that the inspector checked the "
        "work (Civil Code, acceptance of the result of work by the customer)."
    ),
    threshold=_(
        "Signed less than RED_FLAG_RUBBER_STAMP_MINUTES (30) after the repair was reported, "
        "with no inspection photo. Half an hour is less than it takes to reach a site across "
        "a town and look at it."
    ),
    false_positives=_(
        "An inspector who was on site with the crew when it finished and forgot to upload a "
        "photo; an act recorded late for an inspection done earlier."
    ),
    subject_kinds=("act",),
    # Accepting a repair verifies the case and signs its act in one transaction, so the job of
    # the `verify` event sees the act (one job checks both the photos and the act; a correction's
    # `act_signed` changes no hit: corrections are not measured, the act corrected keeps its
    # times). A repair reported again on the accepted order moves the time measured from.
    actions=frozenset({"verify", "report_repaired"}),
    find=find,
    stored_within=stored_within,
    by_case=True,
    current=lambda: {"minutes": _minutes()},
)
