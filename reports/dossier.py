"""The case dossier: everything about one case, for a reader who sees names, local times and
translated labels, never ids, codes or raw payloads."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from casework import clock, deadlines
from casework.audit import canonical_json, chain_head
from casework.events import event_label
from casework.models import Case, CaseEvent, Department
from casework.roles import role_label
from casework.selectors import case_events
from casework.states import CLOSED_STATES, CaseState
from contractors.models import Contract, Contractor, WorkOrder
from contractors.selectors import case_evidence_flags, case_warranty_claim
from contractors.selectors import case_warranty_claims_against as claims_against
from oversight.display import event_actor
from reports import labels
from reports.documents import BuiltDocument, Progress, person_name
from reports.fetcher import URLRefused, file_url, static_url
from reports.render import page_counter_css, pdf_render

User = get_user_model()


def moment_text(value: dt.datetime | str | None) -> str:
    """A moment in local time, in the active language's format (no seconds, no offset)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return ""
    return formats.date_format(value.astimezone(deadlines.local_zone()), "DATETIME_FORMAT")


def money_text(amount) -> str:
    if amount is None:
        return ""
    return _("%(amount)s ₸") % {
        "amount": formats.number_format(amount, decimal_pos=2, force_grouping=True)
    }


class Names:
    """Names for the ids that events carry, one query per kind and id."""

    def __init__(self):
        self._cache: dict[tuple[type, Any], Any] = {}

    def _get(self, model, pk):
        key = (model, pk)
        if key not in self._cache:
            self._cache[key] = model.objects.filter(pk=pk).first() if pk else None
        return self._cache[key]

    def person(self, pk) -> str:
        user = self._get(User, pk)
        return person_name(user) if user is not None else ""

    def department(self, pk) -> str:
        found = self._get(Department, pk)
        return found.name if found is not None else ""

    def contractor(self, pk) -> str:
        found = self._get(Contractor, pk)
        return found.legal_name if found is not None else ""

    def contract(self, pk) -> str:
        found = self._get(Contract, pk)
        return f"№ {found.number}" if found is not None else ""

    def case(self, pk) -> str:
        found = self._get(Case, pk)
        return found.tracking_code if found is not None else ""


def who_acted(event: CaseEvent, names: Names) -> str:
    if event.actor_id:
        return event_actor(event)
    if event.role == "citizen":
        return _("The citizen")
    return _("The system (automatic)")


def event_details(event: CaseEvent, names: Names) -> list[tuple[str, str]]:
    """What an event's payload says, as labelled, readable lines."""
    p = event.payload or {}
    rows: list[tuple[str, str]] = []
    action = event.action
    if action == "assign":
        rows.append((_("Department"), names.department(p.get("department"))))
        if p.get("previous_department"):
            rows.append((_("Previous department"), names.department(p["previous_department"])))
        if p.get("late_redirect"):
            rows.append((_("Redirect"), _("later than 3 working days")))
    elif action == "notify_contractor":
        rows.append((_("Work order"), f"№ {p['work_order']}" if p.get("work_order") else ""))
        rows.append((_("Contract"), names.contract(p.get("contract"))))
        rows.append((_("Contractor"), names.contractor(p.get("contractor"))))
        rows.append((_("Repair due"), moment_text(p.get("due_at"))))
    elif action == "reject":
        rows.append((_("Reason"), labels.reject_reason_label(p.get("reason_code", ""))))
        if p.get("duplicate_of"):
            rows.append((_("Duplicate of"), names.case(p["duplicate_of"])))
    elif action == "extend_deadline":
        rows.append((_("Was due"), moment_text(p.get("previous_due_at"))))
        rows.append((_("Now due"), moment_text(p.get("due_at"))))
        rows.append((_("Citizen to be told by"), moment_text(p.get("citizen_notice_due_at"))))
    elif action == "escalate":
        rows.append((_("Level"), labels.escalation_label(p.get("level"))))
        rows.append((_("Deadline passed"), moment_text(p.get("deadline_at"))))
    elif action == "reopen":
        rows.append((_("Why"), labels.reopen_kind_label(p.get("kind", ""))))
        # By name and the post they held when they decided, not by the ids the event carries.
        if p.get("failed_verification_by"):
            rows.append((_("Repair had been accepted by"), _decided_by(event, "verify")))
        if p.get("failed_work_order_issued_by"):
            rows.append(
                (_("Work order had been issued by"), _decided_by(event, "notify_contractor"))
            )
    elif action == "verify" and p.get("work_order_issued_by"):
        rows.append((_("Work order issued by"), _decided_by(event, "notify_contractor")))
    elif action == "act_signed":
        rows.append((_("Act"), f"№ {p.get('act', '')}"))
        rows.append((_("Amount charged"), money_text(Decimal(p.get("amount_kzt") or 0))))
        rows.append((_("SHA-256 of the act"), p.get("sha256", "")))
    elif action == "complainant_revealed":
        fields = [labels.contact_field_label(f) for f in p.get("fields") or []]
        rows.append((_("Data shown"), ", ".join(f for f in fields if f) or _("none on file")))
    elif action in ("work_order_acknowledged", "work_order_acknowledgement_overdue"):
        rows.append((_("Work order"), f"№ {p['work_order']}" if p.get("work_order") else ""))
        if p.get("late"):
            rows.append((_("Acknowledgement"), _("late")))
        if p.get("acknowledge_due_at"):
            rows.append((_("Acknowledgement was due"), moment_text(p["acknowledge_due_at"])))
    if p.get("photos"):
        rows.append((_("Photos"), formats.number_format(len(p["photos"]))))
    return [(label, value) for label, value in rows if value]


def _decided_by(event: CaseEvent, action: str) -> str:
    """Who took the last `action` on the case before `event`, by name and post at the time."""
    earlier = (
        CaseEvent.objects.filter(case_id=event.case_id, action=action, seq__lt=event.seq)
        .select_related("actor")
        .order_by("-seq")
        .first()
    )
    return event_actor(earlier) if earlier is not None else ""


def _event_rows(case: Case, names: Names) -> list[dict[str, Any]]:
    rows = []
    for event in case_events(case):
        rows.append(
            {
                "event": event,
                "seq": event.seq,
                "when": moment_text(event.created_at),
                "actor": who_acted(event, names),
                "role": role_label(event.role),
                "action": event.action,
                "action_label": event_label(event.action),
                "from": labels.state_label(event.from_state),
                "to": labels.state_label(event.to_state),
                "reason": event.reason,
                "details": event_details(event, names),
                "hash": event.hash,
            }
        )
    return rows


def _history_rows(case: Case, names: Names) -> list[dict[str, Any]]:
    records = list(case.history.order_by("history_date", "history_id"))
    rows = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                field = Case._meta.get_field(change.field)
                changes.append(
                    {
                        "field": str(getattr(field, "verbose_name", change.field)),
                        "old": _field_value(field, change.old, names),
                        "new": _field_value(field, change.new, names),
                    }
                )
        reason = record.history_change_reason or ""
        rows.append(
            {
                "when": moment_text(record.history_date),
                "who": names.person(record.history_user_id) if record.history_user_id else "—",
                "why": event_label(reason) if reason else "",
                "changes": changes,
            }
        )
        previous = record
    return rows


def _field_value(field, value, names: Names) -> str:
    if value in (None, ""):
        return "—"
    if getattr(field, "many_to_one", False):
        related = field.related_model.objects.filter(pk=value).first()
        if related is None:
            return "—"
        if isinstance(related, User):
            return person_name(related)
        return getattr(related, "tracking_code", None) or str(related)
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, "—"))
    if isinstance(value, dt.datetime):
        return moment_text(value)
    return str(value)


def _working_days_late(due: dt.datetime | None, done: dt.datetime | None) -> int:
    if due is None or done is None or done <= due:
        return 0
    return max(deadlines.working_days_between(due, done), 0)


def _markers(case: Case, now: dt.datetime) -> list[tuple[str, str]]:
    """Overdue and late markers of the case as a whole."""
    marks = []
    end = case.closed_at if case.state in CLOSED_STATES else now
    answer_late = _working_days_late(case.due_at, end)
    if case.due_at and end and end > case.due_at:
        text = (
            _("closed %(n)s working days after the answer deadline")
            if case.state in CLOSED_STATES
            else _("%(n)s working days past the answer deadline")
        ) % {"n": answer_late}
        marks.append((_("Answer deadline"), text))
    if case.state not in CLOSED_STATES and case.stage_due_at and now > case.stage_due_at:
        marks.append(
            (
                _("Current stage"),
                _("%(n)s working days past its deadline")
                % {"n": _working_days_late(case.stage_due_at, now)},
            )
        )
    return marks


def _orders(case: Case, now: dt.datetime, names: Names) -> list[dict[str, Any]]:
    orders = WorkOrder.objects.filter(case=case).select_related(
        "contract", "contractor", "issued_by", "accepted_by"
    )
    rows = []
    for order in orders.order_by("issued_at", "id"):
        done = order.completed_at or (now if order.is_open else None)
        days_late = order.working_days_late
        if days_late is None:
            days_late = _working_days_late(order.due_at, done)
        ack_late = bool(
            order.acknowledge_due_at
            and (order.acknowledged_at or now) > order.acknowledge_due_at
            and order.status != WorkOrder.Status.SUPERSEDED
        )
        rows.append(
            {
                "number": f"№ {order.pk}",
                "contract": order.contract.number,
                "contract_amount": money_text(order.contract.amount_kzt),
                "contractor": order.contractor.legal_name,
                "issued_by": person_name(order.issued_by),
                "issued_at": moment_text(order.issued_at),
                "due_at": moment_text(order.due_at),
                "acknowledged_at": moment_text(order.acknowledged_at),
                "acknowledge_due_at": moment_text(order.acknowledge_due_at),
                "acknowledged_late": ack_late,
                "completed_at": moment_text(order.completed_at),
                "days_late": days_late,
                "still_out": order.is_open,
                "accepted_by": person_name(order.accepted_by) if order.accepted_by_id else "",
                "accepted_at": moment_text(order.accepted_at),
                "warranty_ends_at": moment_text(order.warranty_ends_at),
                "status": order.get_status_display(),
                "id": order.pk,
            }
        )
    return rows


def _photos(case: Case) -> list[dict[str, Any]]:
    flags = defaultdict(list)
    for flag in case_evidence_flags(case):
        flags[flag.attachment_id].append(flag)
    photos = []
    for attachment in case.attachments.filter(content_type__startswith="image/"):
        try:
            url = file_url(attachment.file.path)
        except (URLRefused, NotImplementedError, ValueError):
            url = ""
        photos.append(
            {
                "url": url,
                "kind": attachment.get_kind_display(),
                "when": moment_text(attachment.uploaded_at),
                "sha256": attachment.sha256,
                "flags": [
                    {"warning": f.severity == "warning", "message": f.message}
                    for f in flags.get(attachment.pk, [])
                ],
            }
        )
    return photos


def _warranty(case: Case) -> list[str]:
    lines = []
    claim = case_warranty_claim(case)
    if claim is not None:
        lines.append(
            _("This complaint is a warranty claim on %(code)s (%(contractor)s, until %(until)s).")
            % {
                "code": claim.original_case.tracking_code,
                "contractor": claim.contractor.legal_name,
                "until": moment_text(claim.warranty_ends_at),
            }
        )
    for claim in claims_against(case):
        lines.append(
            _("Warranty claim %(code)s on this repair, %(when)s.")
            % {"code": claim.case.tracking_code, "when": moment_text(claim.opened_at)}
        )
    return lines


def dossier_context(case: Case, *, complainant: dict[str, str] | None) -> dict[str, Any]:
    now = clock.now()
    names = Names()
    events = _event_rows(case, names)
    signoffs = [
        row
        for row in events
        if row["action"] in ("notify_contractor", "verify", "return_for_rework")
    ]
    return {
        "case": case,
        "state_label": CaseState(case.state).label,
        "received_at": moment_text(case.received_at),
        "due_at": moment_text(case.due_at),
        "stage_due_at": moment_text(case.stage_due_at),
        "closed_at": moment_text(case.closed_at),
        "markers": _markers(case, now),
        "events": events,
        "history": _history_rows(case, names),
        "orders": _orders(case, now, names),
        "signoffs": signoffs,
        "extensions": [row for row in events if row["action"] == "extend_deadline"],
        "reopenings": [row for row in events if row["action"] == "reopen"],
        "photos": _photos(case),
        "duplicate_of": case.duplicate_of,
        "duplicates": list(case.duplicates.order_by("id")),
        "warranty": _warranty(case),
        "complainant": complainant,
        "page_counter": page_counter_css(_("Page {page} of {pages}")),
        "stylesheet": static_url("reports/report.css"),
    }


def dossier_build(
    case: Case,
    *,
    language: str,
    generated_by=None,
    moment: dt.datetime,
    complainant: dict[str, str] | None = None,
    reason: str = "",
    progress: Progress | None = None,
) -> BuiltDocument:
    step = progress or (lambda value: None)
    head, count = chain_head()
    with translation.override(language):
        context = dossier_context(case, complainant=complainant)
        step(40)
        data = {
            "case": case.tracking_code,
            "events": [row["hash"] for row in context["events"]],
            "history": len(context["history"]),
            "photos": [p["sha256"] for p in context["photos"]],
            "orders": [o["id"] for o in context["orders"]],
            "complainant": bool(complainant),
        }
        data_sha = hashlib.sha256(canonical_json(data).encode()).hexdigest()
        context.update(
            chain_head=head,
            chain_count=count,
            data_sha256=data_sha,
            generated_by=person_name(generated_by),
            generated_at=moment_text(moment),
            reason=reason,
            language=language,
        )
        html = render_to_string("reports/pdf/dossier.html", context)
        step(60)
        pdf = pdf_render(html, moment=moment, identifier=data_sha[:32])
    step(95)
    return BuiltDocument(pdf, data_sha, head, html)
