"""Inquiries as a reader sees them: subjects and parties by name and post, log entries as
translated labels. A witness's or reporter's identity appears only when the caller passes it in
(`identities`, from `inquiry_party_reveal`); otherwise they are "Witness 2", "Reporter 3"."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from oversight.display import name_and_post, occupancy_text
from oversight.models import InquiryParty, InquirySubject, Sanction
from oversight.selectors import post_held


def log_action_label(action: str) -> str:
    labels = {
        "opened": _("Inquiry opened"),
        "assigned": _("Team changed"),
        "deadline_extended": _("Deadline extended"),
        "party_added": _("Party added"),
        "party_revealed": _("Identity revealed"),
        "evidence_added": _("Evidence recorded"),
        "custody_transferred": _("Evidence handed over"),
        "note_added": _("Note written"),
        "finding_recorded": _("Finding recorded"),
        "sanction_proposed": _("Sanction proposed"),
        "sanction_imposed": _("Sanction imposed"),
        "sanction_appealed": _("Sanction appealed"),
        "sanction_cancelled": _("Sanction cancelled"),
        "closed": _("Inquiry closed"),
    }
    return str(labels.get(action, _("Other change")))


def person_text(person, on: dt.datetime | dt.date) -> str:
    return occupancy_text(person, post_held(person, on))


def subject_text(subject: InquirySubject, on: dt.datetime) -> str:
    kind = subject.kind
    if kind == InquirySubject.Kind.CASE:
        return f"{subject.case.tracking_code} · {subject.case.title}"
    if kind == InquirySubject.Kind.ACT:
        return _("Act № %(number)s of %(date)s") % {
            "number": subject.act.number,
            "date": subject.act.signed_on.isoformat(),
        }
    if kind == InquirySubject.Kind.CONTRACT:
        return _("Contract № %(number)s with %(contractor)s") % {
            "number": subject.contract.number,
            "contractor": subject.contract.contractor.legal_name,
        }
    if kind == InquirySubject.Kind.CONTRACTOR:
        return subject.contractor.legal_name
    return person_text(subject.person, on)


def party_text(
    party: InquiryParty, on: dt.datetime, identities: dict[int, dict[str, str]] | None = None
) -> str:
    """A subject by name and post (or a contractor by name); a witness or reporter by number,
    or by name only when their identity was revealed and passed in."""
    if party.person_id:
        return person_text(party.person, on)
    if party.contractor_id:
        return party.contractor.legal_name
    revealed = (identities or {}).get(party.pk)
    if revealed:
        return revealed.get("name", "")
    return _("%(role)s %(number)s (identity protected)") % {
        "role": party.get_role_display(),
        "number": party.number,
    }


def sanction_target_text(sanction: Sanction, on: dt.datetime) -> str:
    if sanction.person_id:
        return person_text(sanction.person, on)
    return sanction.contractor.legal_name


def actor_text(user, on: dt.datetime) -> str:
    return name_and_post(user, on) if user is not None else _("The system (automatic)")
