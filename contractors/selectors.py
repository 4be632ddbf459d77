"""Reads of contractors' data. Work orders a user may see follow the case scope
(`casework.selectors.cases_visible_to`), so a contractor sees only their company's orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import roles
from casework.models import Attachment, Case, CaseEvent
from casework.selectors import cases_visible_to
from contractors.models import ContractorMember, PhotoCheck, PhotoReuse, WarrantyClaim, WorkOrder

OPEN_ORDER_STATUSES = (
    WorkOrder.Status.ISSUED,
    WorkOrder.Status.ACKNOWLEDGED,
    WorkOrder.Status.RETURNED,
    WorkOrder.Status.REPORTED,
)


def contractor_of(user) -> int | None:
    """The id of the contractor company `user` works for, if they act as a contractor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if roles.CONTRACTOR not in roles.user_roles(user):
        return None
    member = ContractorMember.objects.filter(user=user).only("contractor_id").first()
    return member.contractor_id if member else None


def current_work_order(case: Case | int) -> WorkOrder | None:
    """The case's latest work order that was not replaced by another."""
    return (
        WorkOrder.objects.filter(case=case)
        .exclude(status=WorkOrder.Status.SUPERSEDED)
        .order_by("-issued_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class OrderReturn:
    """An inspector sent the repair on this order back: when, why, and the inspection photos."""

    when: dt.datetime
    reason: str
    round: int
    photos: list[Attachment]


def work_order_returns(order: WorkOrder) -> list[OrderReturn]:
    """The returns of `order`'s repair, the newest first (events of its case since it was
    issued). The inspector's name is not shown to the contractor."""
    events = list(
        CaseEvent.objects.filter(
            case_id=order.case_id, action="return_for_rework", created_at__gte=order.issued_at
        ).order_by("-seq")
    )
    ids = {pk for event in events for pk in event.payload.get("photos", []) if isinstance(pk, int)}
    photos = {
        a.pk: a
        for a in Attachment.objects.filter(
            case_id=order.case_id, kind=Attachment.Kind.INSPECTION, pk__in=ids
        )
    }
    return [
        OrderReturn(
            when=event.created_at,
            reason=event.reason,
            round=event.payload.get("round") or 0,
            photos=[photos[pk] for pk in event.payload.get("photos", []) if pk in photos],
        )
        for event in events
    ]


def work_orders_visible_to(user) -> QuerySet[WorkOrder]:
    """Work orders on cases the user may see; for a contractor, only their own company's."""
    orders = WorkOrder.objects.filter(case__in=cases_visible_to(user))
    if roles.CONTRACTOR in roles.user_roles(user) and not getattr(user, "is_superuser", False):
        company = contractor_of(user)
        orders = orders.filter(contractor_id=company) if company else orders.none()
    return orders.select_related("case", "case__category", "case__district", "contract")


def work_order_for_user(user, pk: int) -> WorkOrder | None:
    return work_orders_visible_to(user).filter(pk=pk).first()


@dataclass(frozen=True)
class EvidenceFlag:
    code: str  # taken_before_order, far_from_site, same_as_before, reused, no_time, no_location
    severity: str  # "warning": the inspector must look; "notice": cannot be checked
    message: str
    attachment_id: int
    kind: str
    other_case_id: int | None = None
    other_tracking_code: str = ""


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def case_evidence_flags(case: Case | int) -> list[EvidenceFlag]:
    """What the inspector should know about the photos on this case: taken before the work
    order, far from the site, the same picture on another case (both cases show it), or
    carrying no time or place to check. Warnings first."""
    case_id = getattr(case, "pk", case)
    flags: list[EvidenceFlag] = []
    checks = (
        PhotoCheck.objects.filter(case_id=case_id)
        .filter(
            Q(taken_before_order=True)
            | Q(far_from_site=True)
            | Q(no_time=True)
            | Q(no_location=True)
            | Q(same_as_before=True)
        )
        .select_related("work_order")
        .order_by("id")
    )
    for check in checks:
        kind_label = _kind_label(check.kind)
        if check.taken_before_order:
            flags.append(
                EvidenceFlag(
                    "taken_before_order",
                    "warning",
                    _("%(kind)s photo taken %(taken)s, before the work order of %(issued)s.")
                    % {
                        "kind": kind_label,
                        "taken": _when(check.taken_at),
                        "issued": _when(check.work_order.issued_at) if check.work_order else "—",
                    },
                    check.attachment_id,
                    check.kind,
                )
            )
        if check.same_as_before:
            flags.append(
                EvidenceFlag(
                    "same_as_before",
                    "warning",
                    _("The “after” photo is the same picture as a “before” photo."),
                    check.attachment_id,
                    check.kind,
                )
            )
        if check.far_from_site:
            flags.append(
                EvidenceFlag(
                    "far_from_site",
                    "warning",
                    _("%(kind)s photo taken %(distance)s m from the site.")
                    % {"kind": kind_label, "distance": f"{check.distance_m:.0f}"},
                    check.attachment_id,
                    check.kind,
                )
            )
        if check.no_time:
            flags.append(
                EvidenceFlag(
                    "no_time",
                    "notice",
                    _("%(kind)s photo carries no time: when it was taken cannot be checked.")
                    % {"kind": kind_label},
                    check.attachment_id,
                    check.kind,
                )
            )
        if check.no_location:
            flags.append(
                EvidenceFlag(
                    "no_location",
                    "notice",
                    _("%(kind)s photo carries no location: where it was taken cannot be checked.")
                    % {"kind": kind_label},
                    check.attachment_id,
                    check.kind,
                )
            )
    reuses = PhotoReuse.objects.filter(
        Q(photo__case_id=case_id) | Q(earlier__case_id=case_id)
    ).select_related("photo__case", "earlier__case")
    for reuse in reuses.order_by("id"):
        mine, other = (
            (reuse.photo, reuse.earlier)
            if reuse.photo.case_id == case_id
            else (reuse.earlier, reuse.photo)
        )
        flags.append(
            EvidenceFlag(
                "reused",
                "warning",
                _("%(kind)s photo is the same picture as a %(other_kind)s photo on case %(code)s.")
                % {
                    "kind": _kind_label(mine.kind),
                    "other_kind": _kind_label(other.kind).lower(),
                    "code": other.case.tracking_code,
                },
                mine.attachment_id,
                mine.kind,
                other.case_id,
                other.case.tracking_code,
            )
        )
    flags.sort(key=lambda f: (f.severity != "warning", f.attachment_id))
    return flags


def _kind_label(kind: str) -> str:
    try:
        return str(Attachment.Kind(kind).label)
    except ValueError:
        return kind


def case_warranty_claim(case: Case | int) -> WarrantyClaim | None:
    """The warranty claim this case is (a new complaint about a failed repair), if any."""
    return (
        WarrantyClaim.objects.filter(case_id=getattr(case, "pk", case))
        .select_related("original_case", "contractor", "contract", "verified_by")
        .first()
    )


def case_warranty_claims_against(case: Case | int) -> QuerySet[WarrantyClaim]:
    """Later complaints that claim this case's repair under warranty."""
    return WarrantyClaim.objects.filter(original_case_id=getattr(case, "pk", case)).select_related(
        "case", "contractor"
    )


def open_sites(orders: QuerySet[WorkOrder]) -> list[dict]:
    """Map points of open orders (no complainant data: the case's point, title and code)."""
    points = []
    for order in orders.filter(status__in=OPEN_ORDER_STATUSES).exclude(case__latitude=None):
        points.append(
            {
                "order": order.pk,
                "lat": float(order.case.latitude),
                "lon": float(order.case.longitude),
                "title": order.case.title,
                "code": order.case.tracking_code,
                "status": order.get_status_display(),
                "overdue": bool(order.due_at < timezone.now()),
            }
        )
    return points


# --- late work orders, for the managers' dashboard -------------------------------------------

# As the scorecards count them (contractors.scorecards): reported or accepted after the due
# moment, or still out with the due moment past.
_REPORTED = (WorkOrder.Status.REPORTED, WorkOrder.Status.ACCEPTED)
_STILL_OUT = (WorkOrder.Status.ISSUED, WorkOrder.Status.ACKNOWLEDGED, WorkOrder.Status.RETURNED)


def late_orders_due_in(start: dt.datetime, end: dt.datetime) -> QuerySet[WorkOrder]:
    """Work orders due in [start, end) (`end` no later than now) and not done by their due
    moment; superseded ones count for no one."""
    return WorkOrder.objects.filter(due_at__gte=start, due_at__lt=end).filter(
        Q(status__in=_REPORTED, completed_at__gt=F("due_at")) | Q(status__in=_STILL_OUT)
    )


def late_orders_q(start: dt.datetime, end: dt.datetime, contractor_id: int | None = None) -> Q:
    """A filter on cases: those with such a late order (of that contractor)."""
    orders = late_orders_due_in(start, end).filter(case_id=OuterRef("pk"))
    if contractor_id is not None:
        orders = orders.filter(contractor_id=contractor_id)
    return Q(Exists(orders))


@dataclass(frozen=True)
class LateContractor:
    contractor_id: int
    legal_name: str
    late_cases: int


def late_contractors(
    cases: QuerySet[Case], start: dt.datetime, end: dt.datetime, *, limit: int = 5
) -> list[LateContractor]:
    """The contractors with the most cases (of `cases`) whose order was due in [start, end) and
    late, most first: one query."""
    rows = (
        late_orders_due_in(start, end)
        .filter(case__in=cases.order_by().values("pk"))
        .values("contractor_id", "contractor__legal_name")
        .annotate(n=Count("case_id", distinct=True))
        .order_by("-n", "contractor__legal_name", "contractor_id")[:limit]
    )
    return [
        LateContractor(row["contractor_id"], row["contractor__legal_name"], row["n"])
        for row in rows
    ]


def repaired_again_q() -> Q:
    """Cases repaired and complained about again: reopened, returned for rework, or with a
    warranty claim against their repair (a new complaint about it)."""
    claims = WarrantyClaim.objects.filter(original_case_id=OuterRef("pk"))
    return Q(reopen_count__gt=0) | Q(rework_count__gt=0) | Q(Exists(claims))


def under_warranty_q(at: dt.datetime) -> Q:
    """Cases whose accepted repair is under warranty at `at`, and the warranty claims (new
    complaints about such a repair)."""
    orders = WorkOrder.objects.filter(
        case_id=OuterRef("pk"), accepted_at__isnull=False, warranty_ends_at__gte=at
    )
    claims = WarrantyClaim.objects.filter(case_id=OuterRef("pk"))
    return Q(Exists(orders)) | Q(Exists(claims))
