"""What anyone holding a tracking code may see: the public timeline, no personal data, no
internal notes. Corruption reports (non-public categories) also need the citizen's access token."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db.models import QuerySet

from casework.events import KINDS, PUBLIC_KINDS
from casework.models import Attachment, Case, CaseEvent, Category
from casework.states import CaseState, RejectReason
from casework.tracking import tracking_code_normal, tracking_code_plausible


@dataclass(frozen=True)
class PublicEntry:
    when: dt.datetime
    label: str
    detail: str
    state: str


def case_by_code(code: str, token: str | None = None) -> Case | None:
    """The case a tracking code names, if the holder may see it. A code whose check character
    does not match is not looked up."""
    code = tracking_code_normal(code)
    if not tracking_code_plausible(code):
        return None
    case = (
        Case.objects.select_related("category", "district", "department")
        .filter(tracking_code__iexact=code)
        .first()
    )
    if case is None:
        return None
    if not case.category.public and not token_matches(case, token):
        return None
    return case


def token_matches(case: Case, token: str | None) -> bool:
    """Whether `token` is the case's access token (any text, compared in constant time)."""
    given = (token or "").encode()
    return bool(given) and secrets.compare_digest(given, case.access_token.encode())


def citizen_confirmed(case: Case) -> CaseEvent | None:
    """The citizen's confirmation of the current repair, if they gave it."""
    last = (
        CaseEvent.objects.filter(case=case, action__in=("verify", "citizen_confirm"))
        .order_by("-seq")
        .first()
    )
    return last if last is not None and last.action == "citizen_confirm" else None


def case_public_timeline(case: Case) -> list[PublicEntry]:
    entries = []
    events = CaseEvent.objects.filter(case=case, action__in=PUBLIC_KINDS).order_by("seq")
    for event in events:
        kind = KINDS[event.action]
        detail = ""
        if event.action == "reject":
            code = event.payload.get("reason_code", "")
            reason_label = RejectReason(code).label if code in RejectReason.values else ""
            detail = " — ".join(part for part in (str(reason_label), event.reason) if part)
        elif kind.public_reason:
            detail = event.reason
        entries.append(
            PublicEntry(
                when=event.created_at,
                label=str(kind.label),
                detail=detail,
                state=str(CaseState(event.to_state).label) if event.to_state else "",
            )
        )
    return entries


def case_public_after_photos(case: Case) -> list[Attachment]:
    """The "after" photos of the repair the case was last reported with (their public copies,
    without location EXIF): what the citizen is asked to judge. Empty before any report."""
    report = CaseEvent.objects.filter(case=case, action="report_repaired").order_by("-seq").first()
    if report is None:
        return []
    ids = [pk for pk in report.payload.get("photos", []) if isinstance(pk, int)]
    return list(
        Attachment.objects.filter(case=case, kind=Attachment.Kind.AFTER, pk__in=ids).order_by(
            "uploaded_at", "id"
        )
    )


def public_categories() -> QuerySet[Category]:
    """Categories shown publicly: marked public and not corruption reports."""
    return Category.objects.filter(public=True, corruption_report=False)


def cases_public() -> QuerySet[Case]:
    """The cases anyone may see on public maps and counts: those of public categories only
    (never a corruption report, never a non-public category, not even in a count)."""
    return Case.objects.filter(category__in=public_categories())
