"""A case's timeline for staff: its audit events, each with the history diff of the case row it
caused (who, when, why, what changed). Changes without an event (an administrator's edit) appear
on their own, so nothing that changed the case is left out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import roles
from casework.events import event_label
from casework.models import Case, CaseEvent, Category, Department, District, EscalationLevel
from casework.selectors import case_events
from casework.states import CaseState, RejectReason
from contractors.models import Contractor
from oversight.display import event_actor
from workflows.forms import REOPEN_LABELS

User = get_user_model()

# Case fields worth showing in a diff, in this order, with their labels.
DIFF_FIELDS = {
    "state": _("State"),
    "department": _("Department"),
    "due_at": _("Answer due"),
    "stage_due_at": _("Stage due"),
    "redirect_due_at": _("Redirect due"),
    "escalation_level": _("Escalation level"),
    "priority": _("Priority"),
    "category": _("Category"),
    "district": _("District"),
    "title": _("Title"),
    "description": _("Description"),
    "address": _("Address"),
    "latitude": _("Latitude"),
    "longitude": _("Longitude"),
    "reject_reason": _("Rejection reason"),
    "duplicate_of": _("Duplicate of"),
    "work_order_issued_by": _("Work order issued by"),
    "verified_by": _("Verified by"),
    "closed_at": _("Closed"),
}
# Actions that save the case with a history row (a reveal only appends its event).
WITHOUT_HISTORY = frozenset({"complainant_revealed", "comment"})
# Events a contractor looking at the case does not see.
STAFF_ONLY = frozenset({"complainant_revealed", "comment"})


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: dt.datetime
    who: str
    role: str
    label: str
    reason: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    action: str = ""
    from_state: str = ""
    to_state: str = ""
    event_id: int | None = None


class _Names:
    """Names for the ids that appear in events and diffs, looked up in one query per kind."""

    def __init__(self):
        self._cache: dict[type, dict[int, str]] = {}

    def of(self, model, pk) -> str:
        if pk in (None, ""):
            return "—"
        table = self._cache.setdefault(model, {})
        if pk not in table:
            obj = model.objects.filter(pk=pk).first()
            if obj is None:
                table[pk] = f"#{pk}"
            elif model is User:
                table[pk] = obj.get_full_name() or obj.get_username()
            elif model is Case:
                table[pk] = obj.tracking_code
            else:
                table[pk] = str(obj)
        return table[pk]


def _moment(value) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    return "—" if value is None else str(value)


def _value(field_name: str, value: Any, names: _Names) -> str:
    if value in (None, ""):
        return "—"
    if field_name == "state":
        return str(CaseState(value).label)
    if field_name == "reject_reason":
        return str(RejectReason(value).label) if value in RejectReason.values else value
    if field_name.endswith("_at"):
        return _moment(value)
    related = {
        "department": Department,
        "district": District,
        "category": Category,
        "duplicate_of": Case,
        "work_order_issued_by": User,
        "verified_by": User,
    }
    if field_name in related:
        return names.of(related[field_name], value)
    return str(value)


def _details(event: CaseEvent, names: _Names) -> list[tuple[str, str]]:
    p = event.payload or {}
    rows: list[tuple[str, str]] = []
    if event.action == "assign":
        rows.append((str(_("Department")), names.of(Department, p.get("department"))))
        if p.get("late_redirect"):
            rows.append((str(_("Redirect")), str(_("later than 3 working days"))))
    elif event.action == "notify_contractor":
        rows.append((str(_("Work order")), f"#{p.get('work_order')}"))
        rows.append((str(_("Contractor")), names.of(Contractor, p.get("contractor"))))
        rows.append((str(_("Repair due")), _moment(p.get("due_at"))))
    elif event.action == "reject":
        code = p.get("reason_code", "")
        rows.append((str(_("Reason")), _value("reject_reason", code, names)))
        if p.get("duplicate_of"):
            rows.append((str(_("Duplicate of")), names.of(Case, p["duplicate_of"])))
    elif event.action == "extend_deadline":
        rows.append((str(_("Was due")), _moment(p.get("previous_due_at"))))
        rows.append((str(_("Now due")), _moment(p.get("due_at"))))
    elif event.action == "escalate":
        level = p.get("level")
        if level in EscalationLevel.values:
            rows.append((str(_("Level")), f"{level}: {EscalationLevel(level).label}"))
        rows.append((str(_("Deadline")), _moment(p.get("deadline_at"))))
    elif event.action == "act_signed":
        rows.append((str(_("Act")), f"№ {p.get('act')}"))
        rows.append((str(_("Amount charged")), f"{p.get('amount_kzt')} ₸"))
        rows.append((str(_("SHA-256 of the act")), p.get("sha256", "")))
    elif event.action == "refer":
        rows.append((str(_("Referred to")), p.get("referred_to", "")))
    elif event.action == "reopen" and p.get("kind"):
        rows.append((str(_("Why")), str(REOPEN_LABELS.get(p["kind"], p["kind"]))))
    photos = p.get("photos") or []
    if photos:
        rows.append((str(_("Photos")), str(len(photos))))
    return rows


def _diff(new, old, names: _Names) -> list[Change]:
    changes = []
    for name, label in DIFF_FIELDS.items():
        attname = Case._meta.get_field(name).attname
        before, after = getattr(old, attname), getattr(new, attname)
        if before == after:
            continue
        changes.append(Change(str(label), _value(name, before, names), _value(name, after, names)))
    return changes


def case_timeline(case: Case, viewer) -> list[Entry]:
    names = _Names()
    contractor_view = roles.CONTRACTOR in roles.user_roles(viewer)
    events = list(case_events(case))
    history = list(case.history.select_related("history_user").order_by("history_date", "pk"))
    diffs: list[tuple[Any, list[Change]]] = []
    for previous, record in zip(history, history[1:], strict=False):
        diffs.append((record, _diff(record, previous, names)))
    entries: list[Entry] = []
    pending = list(diffs)
    for event in events:
        changes: list[Change] = []
        if event.action not in WITHOUT_HISTORY and event.action != "open":
            for index, (record, record_changes) in enumerate(pending):
                if record.history_change_reason == event.action:
                    # Changes made before this event without one of their own come first.
                    for orphan, orphan_changes in pending[:index]:
                        entries.append(_orphan(orphan, orphan_changes, names))
                    changes = record_changes
                    pending = pending[index + 1 :]
                    break
        if contractor_view and event.action in STAFF_ONLY:
            continue
        entries.append(
            Entry(
                when=event.created_at,
                who=event_actor(event),
                role=roles.role_label(event.role),
                label=event_label(event.action),
                reason=event.reason,
                details=_details(event, names),
                changes=changes,
                action=event.action,
                from_state=event.from_state,
                to_state=event.to_state,
                event_id=event.pk,
            )
        )
    for orphan, orphan_changes in pending:
        entries.append(_orphan(orphan, orphan_changes, names))
    entries.sort(key=lambda entry: entry.when)
    return entries


def _orphan(record, changes: list[Change], names: _Names) -> Entry:
    return Entry(
        when=record.history_date,
        who=names.of(User, record.history_user_id) if record.history_user_id else "",
        role="",
        label=str(_("Record changed")),
        reason=record.history_change_reason or "",
        changes=changes,
        action="change",
    )
