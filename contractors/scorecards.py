"""Scorecards of contractors and of the officials who sign their work off, from SQL aggregates.

What counts, for a period [start, end):
- orders: work orders issued in the period. An order replaced by a reissue (superseded) counts
  for no one.
- on_time: of those, orders whose latest repair report (reported or accepted now) came by the
  due moment. late: reported after it, or still not reported (issued, acknowledged, returned)
  with the due moment past. on_time_rate = on_time / (on_time + late); None when nothing is due.
- avg_working_days_late: over the late orders, Kazakh working days (casework.deadlines) from the
  due moment to the report, or to now for orders still out.
- returned_at_verification: inspections in the period that sent this contractor's repair back.
- reopened_after_verification: verified cases reopened in the period (a defect, a dispute) whose
  accepted repair was this contractor's.
- warranty_claims: warranty claims opened in the period against the contractor.
An event is the contractor's when the case's latest work order issued before it is theirs.

Officials: every verification in the period is a sign-off of the inspector who made it and of
the officer who issued the order (both named by the verification event). It failed when the
case was later reopened (from verified, the only way out of that state) or a warranty claim
names that verification.

region / district / department filter on the repaired case (ids or instances).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncDate

from casework import clock, deadlines
from casework.models import CaseEvent
from contractors.models import Contractor, WarrantyClaim, WorkOrder

DONE = (WorkOrder.Status.REPORTED, WorkOrder.Status.ACCEPTED)
OUT = (WorkOrder.Status.ISSUED, WorkOrder.Status.ACKNOWLEDGED, WorkOrder.Status.RETURNED)


@dataclass(frozen=True)
class ContractorScore:
    contractor_id: int
    legal_name: str
    bin: str
    orders: int
    on_time: int
    late: int
    on_time_rate: float | None
    avg_working_days_late: float | None
    returned_at_verification: int
    reopened_after_verification: int
    warranty_claims: int


@dataclass(frozen=True)
class OfficialSignoffs:
    user_id: int
    name: str
    role: str  # "inspector" (verified the repair) or "officer" (issued the work order)
    signoffs: int
    failed: int
    failed_case_ids: list[int]


def _pk(value) -> int | None:
    return getattr(value, "pk", value)


def _case_filter(prefix: str, region, district, department) -> Q:
    q = Q()
    if region is not None:
        q &= Q(**{f"{prefix}region_id": _pk(region)})
    if district is not None:
        q &= Q(**{f"{prefix}district_id": _pk(district)})
    if department is not None:
        q &= Q(**{f"{prefix}department_id": _pk(department)})
    return q


def _order_at_event(field: str) -> Subquery:
    """`field` of the case's latest work order issued up to the event's moment."""
    return Subquery(
        WorkOrder.objects.filter(case_id=OuterRef("case_id"), issued_at__lte=OuterRef("created_at"))
        .order_by("-issued_at", "-id")
        .values(field)[:1]
    )


def _events(action: str, start, end, where: Q) -> QuerySet:
    return CaseEvent.objects.filter(where, action=action, created_at__gte=start, created_at__lt=end)


def _working_days_since(days: set[dt.date], now: dt.datetime) -> dict[dt.date, int]:
    """For each day, the working days after it up to and including today (as
    `deadlines.working_days_between`), walking the calendar once for all of them."""
    if not days:
        return {}
    today = now.astimezone(deadlines.local_zone()).date()
    counts, running, day = {}, 0, today
    while day >= min(days):
        counts[day] = running
        if deadlines.is_working_day(day):
            running += 1
        day -= dt.timedelta(days=1)
    return {d: counts.get(d, 0) for d in days}


def contractor_scorecards(
    start: dt.datetime,
    end: dt.datetime,
    *,
    region=None,
    district=None,
    department=None,
    contractor=None,
) -> list[ContractorScore]:
    now = clock.now()
    where_case = _case_filter("case__", region, district, department)
    orders = WorkOrder.objects.filter(where_case, issued_at__gte=start, issued_at__lt=end).exclude(
        status=WorkOrder.Status.SUPERSEDED
    )
    if contractor is not None:
        orders = orders.filter(contractor_id=_pk(contractor))
    done_late = Q(status__in=DONE, completed_at__gt=F("due_at"))
    totals = {
        row["contractor_id"]: row
        for row in orders.values("contractor_id").annotate(
            n=Count("id"),
            on_time=Count("id", filter=Q(status__in=DONE, completed_at__lte=F("due_at"))),
            late_done=Count("id", filter=done_late),
            late_done_days=Sum("working_days_late", filter=done_late),
        )
    }
    # Orders still out past their due moment: grouped by due day, so that the working days late
    # are counted once per day, not once per order.
    out_late: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        orders.filter(status__in=OUT, due_at__lt=now)
        .annotate(due_day=TruncDate("due_at", tzinfo=deadlines.local_zone()))
        .values("contractor_id", "due_day")
        .annotate(n=Count("id"))
    )
    rows = list(rows)
    late_since = _working_days_since({row["due_day"] for row in rows}, now)
    for row in rows:
        out_late[row["contractor_id"]][0] += row["n"]
        out_late[row["contractor_id"]][1] += row["n"] * late_since[row["due_day"]]

    event_where = _case_filter("case__", region, district, department)

    def per_contractor(events: QuerySet) -> dict[int, int]:
        events = events.annotate(order_contractor=_order_at_event("contractor_id")).exclude(
            order_contractor=None
        )
        if contractor is not None:
            events = events.filter(order_contractor=_pk(contractor))
        counted = events.order_by().values("order_contractor").annotate(n=Count("id"))
        return {row["order_contractor"]: row["n"] for row in counted}

    returned = per_contractor(_events("return_for_rework", start, end, event_where))
    reopened = per_contractor(
        _events("reopen", start, end, event_where).filter(from_state="verified")
    )
    claims_qs = WarrantyClaim.objects.filter(
        _case_filter("original_case__", region, district, department),
        opened_at__gte=start,
        opened_at__lt=end,
    )
    if contractor is not None:
        claims_qs = claims_qs.filter(contractor_id=_pk(contractor))
    claims = {
        row["contractor_id"]: row["n"]
        for row in claims_qs.values("contractor_id").annotate(n=Count("id"))
    }

    ids = set(totals) | set(out_late) | set(returned) | set(reopened) | set(claims)
    scores = []
    for company in Contractor.objects.filter(pk__in=ids).order_by("legal_name", "pk"):
        row = totals.get(company.pk, {})
        on_time = row.get("on_time", 0)
        open_late, open_late_days = out_late.get(company.pk, (0, 0))
        late = row.get("late_done", 0) + open_late
        late_days = (row.get("late_done_days") or 0) + open_late_days
        scores.append(
            ContractorScore(
                contractor_id=company.pk,
                legal_name=company.legal_name,
                bin=company.bin,
                orders=row.get("n", 0),
                on_time=on_time,
                late=late,
                on_time_rate=round(on_time / (on_time + late), 4) if on_time + late else None,
                avg_working_days_late=round(late_days / late, 2) if late else None,
                returned_at_verification=returned.get(company.pk, 0),
                reopened_after_verification=reopened.get(company.pk, 0),
                warranty_claims=claims.get(company.pk, 0),
            )
        )
    return scores


def official_failed_signoffs(
    start: dt.datetime,
    end: dt.datetime,
    *,
    region=None,
    district=None,
    department=None,
) -> list[OfficialSignoffs]:
    reopened_later = CaseEvent.objects.filter(
        case_id=OuterRef("case_id"), action="reopen", seq__gt=OuterRef("seq")
    )
    claimed = WarrantyClaim.objects.filter(verification_event_id=OuterRef("pk"))
    verifications = (
        _events("verify", start, end, _case_filter("case__", region, district, department))
        .annotate(
            # The verification event names the officer who issued the order (case_verify).
            issuer=Cast(KeyTextTransform("work_order_issued_by", "payload"), BigIntegerField()),
            failed=ExpressionWrapper(
                Q(Exists(reopened_later)) | Q(Exists(claimed)), output_field=BooleanField()
            ),
        )
        .order_by()
    )
    counts: dict[tuple[int, str], list[int]] = {}
    for key, role in (("actor_id", "inspector"), ("issuer", "officer")):
        rows = (
            verifications.exclude(**{key: None})
            .values(key)
            .annotate(n=Count("id"), failed_n=Count("id", filter=Q(failed=True)))
        )
        for row in rows:
            counts[(row[key], role)] = [row["n"], row["failed_n"]]
    failed_cases: dict[tuple[int, str], set[int]] = defaultdict(set)
    for actor, issuer, case_id in verifications.filter(failed=True).values_list(
        "actor_id", "issuer", "case_id"
    ):
        if actor is not None:
            failed_cases[(actor, "inspector")].add(case_id)
        if issuer is not None:
            failed_cases[(issuer, "officer")].add(case_id)
    users = get_user_model().objects.in_bulk({user_id for user_id, _role in counts})
    result = []
    for (user_id, role), (signoffs, failed) in counts.items():
        user = users.get(user_id)
        name = (user.get_full_name() or user.get_username()) if user else str(user_id)
        result.append(
            OfficialSignoffs(
                user_id=user_id,
                name=name,
                role=role,
                signoffs=signoffs,
                failed=failed,
                failed_case_ids=sorted(failed_cases.get((user_id, role), ())),
            )
        )
    result.sort(key=lambda o: (-o.failed, -o.signoffs, o.name, o.role))
    return result
