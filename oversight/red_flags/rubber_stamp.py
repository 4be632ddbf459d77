"""3. Rubber stamp: a repair accepted within minutes of being reported, with no inspector photo.

An act (not a correction) signed less than RED_FLAG_RUBBER_STAMP_MINUTES after the contractor
reported the repair (`WorkOrder.completed_at`), carrying no photo of the inspector's own: nobody
can have gone to the site and looked.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import DateTimeField as DateTimeOutput
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from oversight.models import AcceptanceAct, AcceptanceActPhoto
from oversight.red_flags.base import (
    Found,
    Indicator,
    Scope,
    case_filter,
    evidence_item,
    setting,
)
from oversight.red_flags.common import event_label, event_seq_of, inspector_of_act

CODE = "rubber_stamp"


def _minutes() -> int:
    return int(setting("RUBBER_STAMP_MINUTES", 30))


def find(scope: Scope | None) -> list[Found]:
    minutes = _minutes()
    inspected = AcceptanceActPhoto.objects.filter(act_id=OuterRef("pk"), kind="inspection")
    limit = ExpressionWrapper(
        F("work_order__completed_at") + dt.timedelta(minutes=minutes),
        output_field=DateTimeOutput(),
    )
    rows = list(
        AcceptanceAct.objects.filter(
            case_filter(scope, "case_id"),
            supersedes__isnull=True,
            work_order__completed_at__isnull=False,
            signed_at__gte=F("work_order__completed_at"),
            signed_at__lt=limit,
        )
        .exclude(Exists(inspected))
        .annotate(inspector=inspector_of_act("pk"), event_seq=event_seq_of("event_id"))
        .order_by()
        .values(
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
    )
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
