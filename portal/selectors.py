"""Reads of public cases for the portal's pages. A public case is one in a category marked public
that is not a corruption report; nothing else ever leaves here, not even as a count."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from casework.events import PUBLIC_KINDS
from casework.models import Attachment, Case, CaseEvent
from casework.tracking import tracking_code_normal, tracking_code_plausible
from contractors.models import WorkOrder

PUBLIC_CATEGORY = Q(category__public=True, category__corruption_report=False)


def public_cases() -> QuerySet[Case]:
    """Every case the public may see."""
    return Case.objects.filter(PUBLIC_CATEGORY)


def public_case_by_code(code: str) -> Case | None:
    """The public case a tracking code names; None for an unknown code, a mistyped one and a
    case the public may not see alike."""
    code = tracking_code_normal(code)
    if not code or not tracking_code_plausible(code):
        return None
    return (
        public_cases()
        .select_related("category", "district", "department")
        .filter(tracking_code__iexact=code)
        .first()
    )


def current_contractor_id() -> Subquery:
    """For annotating cases: the contractor of the case's latest work order not replaced by
    another (as contractors.selectors.current_work_order chooses it)."""
    return Subquery(
        WorkOrder.objects.filter(case=OuterRef("pk"))
        .exclude(status=WorkOrder.Status.SUPERSEDED)
        .order_by("-issued_at", "-id")
        .values("contractor_id")[:1]
    )


def case_repair_photos(case: Case) -> dict[str, list[Attachment]]:
    """The "before" and "after" photos of the repair the case was last reported with (taken by
    the contractor; the citizen's own photos are never shown publicly). Empty lists before any
    report."""
    report = CaseEvent.objects.filter(case=case, action="report_repaired").order_by("-seq").first()
    photos: dict[str, list[Attachment]] = {"before": [], "after": []}
    if report is None:
        return photos
    ids = [pk for pk in report.payload.get("photos", []) if isinstance(pk, int)]
    kinds = (Attachment.Kind.BEFORE, Attachment.Kind.AFTER)
    for attachment in Attachment.objects.filter(case=case, kind__in=kinds, pk__in=ids).order_by(
        "uploaded_at", "id"
    ):
        photos[attachment.kind].append(attachment)
    return photos


def case_repair_photo(case: Case, pk: int) -> Attachment | None:
    photos = case_repair_photos(case)
    return next((a for a in photos["before"] + photos["after"] if a.pk == pk), None)


def case_last_public_change(case: Case):
    """When the public timeline last changed (its latest public event), else the receipt."""
    last = (
        CaseEvent.objects.filter(case=case, action__in=PUBLIC_KINDS)
        .order_by("-seq")
        .values_list("created_at", flat=True)
        .first()
    )
    return last or case.received_at
