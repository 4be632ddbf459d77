"""What anyone holding a tracking code may see: the public timeline, no personal data, no
internal notes. Corruption reports (non-public categories) also need the citizen's access token."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from casework.models import Case, CaseEvent
from casework.states import CaseState, RejectReason

# Actions shown to the public, and whether their reason text is addressed to the citizen.
_PUBLIC_ACTIONS = {
    "open": (_("Complaint received"), False),
    "assign": (_("Sent to the responsible department"), False),
    "notify_contractor": (_("Work order issued to a contractor"), False),
    "report_repaired": (_("Contractor reported the repair done"), False),
    "return_for_rework": (_("Inspector sent the repair back for rework"), False),
    "verify": (_("Repair checked and accepted by an inspector"), False),
    "reject": (_("Complaint closed without repair"), True),
    "reopen": (_("Case reopened"), False),
    "citizen_confirm": (_("The citizen confirmed the repair"), False),
    "extend_deadline": (_("Deadline extended by a motivated decision"), True),
}


@dataclass(frozen=True)
class PublicEntry:
    when: dt.datetime
    label: str
    detail: str
    state: str


def case_by_code(code: str, token: str | None = None) -> Case | None:
    """The case a tracking code names, if the holder may see it."""
    case = (
        Case.objects.select_related("category", "district", "department")
        .filter(tracking_code__iexact=(code or "").strip())
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
    events = CaseEvent.objects.filter(case=case, action__in=_PUBLIC_ACTIONS).order_by("seq")
    for event in events:
        label, reason_is_public = _PUBLIC_ACTIONS[event.action]
        detail = ""
        if event.action == "reject":
            code = event.payload.get("reason_code", "")
            reason_label = RejectReason(code).label if code in RejectReason.values else ""
            detail = " — ".join(part for part in (str(reason_label), event.reason) if part)
        elif reason_is_public:
            detail = event.reason
        entries.append(
            PublicEntry(
                when=event.created_at,
                label=str(label),
                detail=detail,
                state=str(CaseState(event.to_state).label) if event.to_state else "",
            )
        )
    return entries
