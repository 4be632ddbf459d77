"""The inquiry dossier PDF (kk/ru/en): subjects by name and post, the timeline from the inquiry
log, evidence with its SHA-256 and custody, findings, sanctions, outcome. Here in `reports`
(which may import oversight) beside the case dossier, rendered the same way (WeasyPrint, PDF/A).

A witness's or reporter's identity is printed only when the caller passes it in `identities`,
which it gets from `oversight.inquiries.inquiry_party_reveal` (a reveal with a logged reason).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from casework.audit import canonical_json
from oversight.inquiries import current_custodian_id
from oversight.inquiry_display import (
    actor_text,
    log_action_label,
    party_text,
    sanction_target_text,
    subject_text,
)
from oversight.models import Finding, Inquiry, InquiryLogHead
from oversight.selectors import findings_in_force, inquiry_log
from reports.documents import BuiltDocument, Progress, person_name
from reports.dossier import moment_text
from reports.fetcher import static_url
from reports.render import page_counter_css, pdf_render


def _date_text(value: dt.date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _users(inquiry: Inquiry) -> dict[int, Any]:
    from django.contrib.auth import get_user_model

    ids = {inquiry.supervisor_id, inquiry.opened_by_id}
    ids |= {e.actor_id for e in inquiry_log(inquiry) if e.actor_id}
    for item in inquiry.evidence.all():
        ids |= {item.custodian_id, *(t.to_user_id for t in item.transfers.all())}
    return get_user_model().objects.in_bulk([pk for pk in ids if pk])


def inquiry_dossier_context(
    inquiry: Inquiry, *, identities: dict[int, dict[str, str]] | None = None
) -> dict[str, Any]:
    on = inquiry.opened_at
    users = _users(inquiry)

    def who(user_id: int | None, moment: dt.datetime) -> str:
        return actor_text(users.get(user_id), moment) if user_id else ""

    parties = list(inquiry.parties.select_related("person", "contractor").order_by("number"))
    party_names = {p.pk: party_text(p, on, identities) for p in parties}
    timeline = [
        {
            "seq": entry.seq,
            "when": moment_text(entry.created_at),
            "who": who(entry.actor_id, entry.created_at),
            "action": log_action_label(entry.action),
            "reason": entry.reason,
            "hash": entry.hash,
        }
        for entry in inquiry_log(inquiry)
    ]
    evidence = []
    for item in inquiry.evidence.order_by("number"):
        custody = [
            {
                "from": who(t.from_user_id, t.transferred_at),
                "to": who(t.to_user_id, t.transferred_at),
                "when": moment_text(t.transferred_at),
                "reason": t.reason,
            }
            for t in item.transfers.order_by("transferred_at", "id")
        ]
        evidence.append(
            {
                "number": f"E-{item.number}",
                "kind": item.get_kind_display(),
                "description": item.description,
                "source": _evidence_source(item),
                "sha256": item.sha256,
                "added": moment_text(item.added_at),
                "first_custodian": who(item.custodian_id, item.added_at),
                "custodian": who(current_custodian_id(item), inquiry.closed_at or item.added_at),
                "custody": custody,
            }
        )
    in_force_ids = {f.pk for f in findings_in_force(inquiry).values()}
    findings = [
        {
            "party": party_names.get(f.party_id, ""),
            "conclusion": f.get_conclusion_display(),
            "substantiated": f.conclusion == Finding.Conclusion.SUBSTANTIATED,
            "reasoning": f.reasoning,
            "by": who(f.recorded_by_id, f.recorded_at),
            "when": moment_text(f.recorded_at),
            "revised": f.pk not in in_force_ids,
        }
        for f in Finding.objects.filter(inquiry=inquiry).order_by("recorded_at", "id")
    ]
    notes = [
        {
            "kind": n.get_kind_display(),
            "party": party_names.get(n.party_id, "") if n.party_id else "",
            "held": moment_text(n.held_at),
            "by": who(n.written_by_id, n.written_at),
            "when": moment_text(n.written_at),
            "text": n.text,
        }
        for n in inquiry.notes.order_by("written_at", "id")
    ]
    sanctions = [
        {
            "target": sanction_target_text(s, on),
            "kind": s.get_kind_display(),
            "legal_basis": s.legal_basis,
            "status": s.get_status_display(),
            "order": (
                _("№ %(number)s of %(date)s")
                % {"number": s.order_number, "date": _date_text(s.order_date)}
                if s.order_number
                else ""
            ),
            "publishable": s.publishable,
        }
        for s in inquiry.sanctions.select_related("person", "contractor").order_by(
            "proposed_at", "id"
        )
    ]
    return {
        "inquiry": inquiry,
        "region": inquiry.region.name,
        "status": inquiry.get_status_display(),
        "opened_at": moment_text(inquiry.opened_at),
        "opened_by": who(inquiry.opened_by_id, inquiry.opened_at),
        "supervisor": who(inquiry.supervisor_id, on),
        "investigators": [
            actor_text(user, on) for user in inquiry.investigators.order_by("last_name", "pk")
        ],
        "due_at": moment_text(inquiry.due_at),
        "closed_at": moment_text(inquiry.closed_at),
        "outcome": inquiry.get_outcome_display() if inquiry.outcome else "",
        "subjects": [
            {"kind": s.get_kind_display(), "name": subject_text(s, on)}
            for s in inquiry.subjects.select_related(
                "case", "act", "contract__contractor", "contractor", "person"
            )
        ],
        "parties": [
            {"number": p.number, "role": p.get_role_display(), "name": party_names[p.pk]}
            for p in parties
        ],
        "timeline": timeline,
        "evidence": evidence,
        "notes": notes,
        "findings": findings,
        "sanctions": sanctions,
        "page_counter": page_counter_css(_("Page {page} of {pages}")),
        "stylesheet": static_url("reports/report.css"),
    }


def _evidence_source(item) -> str:
    if item.kind == item.Kind.FILE:
        return item.original_name
    if item.kind == item.Kind.CASE_EVENT and item.case_event is not None:
        return _("event %(seq)s of case %(code)s") % {
            "seq": item.case_event.seq,
            "code": item.case_event.case.tracking_code,
        }
    if item.kind == item.Kind.PHOTO:
        return _("%(kind)s of case %(code)s") % {
            "kind": item.attachment.get_kind_display(),
            "code": item.attachment.case.tracking_code,
        }
    if item.kind == item.Kind.ACT:
        return _("Act № %(number)s") % {"number": item.act.number}
    return ""


def inquiry_dossier_build(
    inquiry: Inquiry,
    *,
    language: str,
    moment: dt.datetime,
    generated_by=None,
    identities: dict[int, dict[str, str]] | None = None,
    progress: Progress | None = None,
) -> BuiltDocument:
    step = progress or (lambda value: None)
    head = InquiryLogHead.objects.filter(id=1).first()
    with translation.override(language):
        context = inquiry_dossier_context(inquiry, identities=identities)
        step(40)
        data = {
            "inquiry": inquiry.number,
            "log": [row["hash"] for row in context["timeline"]],
            "evidence": [row["sha256"] for row in context["evidence"]],
            "identities": sorted(identities or {}),
        }
        data_sha = hashlib.sha256(canonical_json(data).encode()).hexdigest()
        context.update(
            log_head=head.last_hash if head else "",
            log_count=head.count if head else 0,
            data_sha256=data_sha,
            generated_by=person_name(generated_by) if generated_by is not None else "",
            generated_at=moment_text(moment),
            identities_shown=bool(identities),
            language=language,
        )
        html = render_to_string("reports/pdf/inquiry_dossier.html", context)
        step(60)
        pdf = pdf_render(html, moment=moment, identifier=data_sha[:32])
    step(95)
    return BuiltDocument(pdf, data_sha, context["log_head"], html)
