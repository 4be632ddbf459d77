"""Every kind of case event, and the one label each is shown with: on the staff timeline, the
citizen's tracking page, the case dossier and the monthly report, in kk, ru and en.

A service that appends a new kind of event declares it here first (a test renders every kind in
every language and fails on a raw code).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventKind:
    code: str
    label: Promise
    # Shown on the citizen's tracking page; with `public_reason` its reason text is too (it was
    # written for the citizen).
    public: bool = False
    public_reason: bool = False


KINDS: dict[str, EventKind] = {
    kind.code: kind
    for kind in (
        # The lifecycle: the transitions of `casework.services`.
        EventKind("open", _("Complaint received"), public=True),
        EventKind("assign", _("Sent to a department"), public=True),
        EventKind("notify_contractor", _("Work order issued to a contractor"), public=True),
        EventKind("report_repaired", _("Contractor reported the repair done"), public=True),
        EventKind("return_for_rework", _("Inspector sent the repair back for rework"), public=True),
        EventKind("verify", _("Repair checked and accepted by an inspector"), public=True),
        EventKind("reject", _("Complaint closed without repair"), public=True, public_reason=True),
        EventKind("reopen", _("Case reopened"), public=True),
        EventKind(
            "extend_deadline",
            _("Deadline extended by a motivated decision"),
            public=True,
            public_reason=True,
        ),
        EventKind("citizen_confirm", _("The citizen confirmed the repair"), public=True),
        # A corruption report's lifecycle.
        EventKind(
            "review_start", _("Taken up for review by an anti-corruption investigator"), public=True
        ),
        EventKind("refer", _("Referred for investigation"), public=True, public_reason=True),
        EventKind("answer", _("Closed with an answer"), public=True, public_reason=True),
        # Facts recorded without a change of state.
        EventKind("escalate", _("Escalated")),
        EventKind("complainant_revealed", _("Complainant's contact data revealed")),
        EventKind("photo_original_opened", _("Original photo opened")),
        EventKind("comment", _("Staff comment")),
        EventKind("work_order_acknowledged", _("Contractor acknowledged the work order")),
        EventKind("work_order_acknowledgement_overdue", _("Work order not acknowledged in time")),
        # Recorded by oversight: the acceptance act's hash in the case's audit chain.
        EventKind("act_signed", _("Acceptance act signed")),
    )
}

PUBLIC_KINDS = frozenset(code for code, kind in KINDS.items() if kind.public)


def event_label(code: str) -> str:
    """An event kind in the active language; an unknown kind says so rather than print a code."""
    kind = KINDS.get(code)
    return str(kind.label) if kind is not None else gettext("Other event")
