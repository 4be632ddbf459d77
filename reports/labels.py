"""The words the report and the dossier print for codes: states, reasons, levels, contact
fields. Event kinds and roles have theirs where they are declared (`casework.events`,
`casework.roles`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from casework.models import EscalationLevel
from casework.states import CaseState, RejectReason


def state_label(state: str) -> str:
    return str(CaseState(state).label) if state in CaseState.values else ""


def reject_reason_label(code: str) -> str:
    return str(RejectReason(code).label) if code in RejectReason.values else ""


def escalation_label(level) -> str:
    return str(EscalationLevel(level).label) if level in EscalationLevel.values else ""


def reopen_kind_label(kind: str) -> str:
    return {
        "warranty_defect": _("A defect under warranty"),
        "citizen_dispute": _("The citizen disputes the repair"),
        "appeal": _("An appeal against the rejection"),
    }.get(kind, "")


def contact_field_label(field: str) -> str:
    return {
        "name": pgettext("person", "Name"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "iin": _("IIN"),
    }.get(field, "")
