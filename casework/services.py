"""The only code that writes cases.

Each service runs in one transaction: lock the case row, check the actor may act, take the
transition, write one `CaseEvent`, and queue side effects to run after commit. Errors:
`PermissionDenied` (the actor may not), `TransitionConflict` (not from this state, or the case
changed meanwhile), `ValidationError` (bad input). On any error nothing is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from casework import clock, deadlines, outbox, permissions, roles, scopes
from casework.audit import event_append
from casework.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    Complainant,
    Department,
    District,
    TrackingSequence,
)
from casework.signals import case_changed
from casework.states import CLOSED_STATES, CaseState, Channel, Priority, RejectReason
from casework.uploads import CheckedImage, attachment_store, files_discard, image_check

REASON_MAX = 4000
CASE_EVENT_TOPIC = "case.event"


class TransitionConflict(Exception):
    """The transition is not possible from the case's current state (HTTP 409)."""

    def __init__(self, message: str, *, state: str | None = None):
        super().__init__(message)
        self.state = state


# ---------------------------------------------------------------------------------------------
# Shared machinery


def _lock(case: Case | int) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    try:
        return Case.objects.select_for_update().select_related("category").get(pk=pk)
    except Case.DoesNotExist:
        raise ValidationError({"case": _("No such case.")}) from None


def _required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > REASON_MAX:
        raise ValidationError({field: _("At most %(n)d characters, please.") % {"n": REASON_MAX}})
    return text


def check_version(case: Case, version: int | None) -> None:
    if version is not None and version != case.event_seq:
        raise TransitionConflict(
            _("The case was changed by someone else meanwhile. Reload it and try again."),
            state=case.state,
        )


def transition_authorise(name: str, case: Case, actor) -> str:
    """Role check first (403), then the state (409), then the role's rule in this state (403)."""
    granted = roles.TRANSITION_ROLES.get(name, frozenset()) & roles.user_roles(actor)
    if actor is None or not granted:
        raise PermissionDenied(_("Your role may not do this."))
    if not can_proceed(getattr(case, name)):
        raise TransitionConflict(
            _("This cannot be done while the case is “%(state)s”.")
            % {"state": CaseState(case.state).label},
            state=case.state,
        )
    role = permissions.acting_role(name, case, actor)
    if role is None:
        raise PermissionDenied(_("You may not do this on this case."))
    return role


def _record(
    case: Case,
    *,
    actor,
    role: str,
    action: str,
    from_state: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    update_fields: Iterable[str] | None = None,
) -> CaseEvent:
    """Save the case, append its event, tell in-transaction listeners, queue side effects."""
    now = clock.now()
    if from_state != case.state:
        case.state_changed_at = now
        case.escalation_level = 0
        if case.state in CLOSED_STATES:
            case.closed_at = now
        else:
            case.closed_at = None
    case._history_date = now
    case._history_user = actor
    case._change_reason = action
    event = event_append(
        case,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=case.state,
        reason=reason,
        payload=payload,
        role=role,
    )
    case.save()
    case_changed.send(sender=Case, case=case, event=event, actor=actor, transition=action)
    outbox.publish(
        CASE_EVENT_TOPIC,
        {"case": case.pk, "event": event.pk, "action": action, "to_state": case.state},
        key=str(event.pk),
    )
    return event


def _stage_due(case: Case, start: dt.datetime) -> dt.datetime | None:
    if case.state in CLOSED_STATES:
        return None
    return deadlines.add_working_days(start, case.category.stage_days(case.state))


def _store_images(
    case: Case, images: Iterable[tuple[str, CheckedImage]], actor, saved: list[str]
) -> list[Attachment]:
    return [
        attachment_store(case, image, kind=kind, uploaded_by=actor, saved=saved)
        for kind, image in images
    ]


def _run_with_files(work: Callable[[list[str]], Case]) -> Case:
    """Run a service body that saves files; delete those files again if the transaction fails."""
    saved: list[str] = []
    try:
        with transaction.atomic():
            return work(saved)
    except BaseException:
        files_discard(saved)
        raise


def _checked(files: Iterable | None, field: str) -> list[CheckedImage]:
    return [image_check(f, field=field) for f in (files or [])]


# ---------------------------------------------------------------------------------------------
# Opening a case


def _next_tracking_code(case: Case, year: int) -> str:
    sequence, _created = TrackingSequence.objects.select_for_update().get_or_create(
        region=case.region, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{case.region.code}-{year}-{sequence.last:06d}"


def _coordinate(value, low: int, high: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite() or not (low <= number <= high):
        raise ValidationError(
            {field: _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high}}
        )
    return number.quantize(Decimal("0.000001"))


def case_open(
    *,
    title: str,
    description: str,
    category: Category,
    district: District,
    channel: str,
    actor=None,
    latitude=None,
    longitude=None,
    address: str = "",
    complainant: dict[str, str] | None = None,
    priority: int = Priority.NORMAL,
    photos: Iterable | None = None,
    received_at: dt.datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> Case:
    """Register a complaint as a new case in state `received`.

    `actor` is the clerk taking a phone call, or None when the citizen files it through a channel.
    `complainant` holds name / phone / email / iin / language; None or empty means anonymous.
    """
    errors: dict[str, str] = {}
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        errors["title"] = _("Give the complaint a short title.")
    elif len(title) > 300:
        errors["title"] = _("At most %(n)d characters, please.") % {"n": 300}
    if not description:
        errors["description"] = _("Describe the problem.")
    if channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if priority not in Priority.values:
        errors["priority"] = _("Unknown priority.")
    if errors:
        raise ValidationError(errors)
    lat = _coordinate(latitude, -90, 90, "latitude")
    lon = _coordinate(longitude, -180, 180, "longitude")
    if (lat is None) != (lon is None):
        raise ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})
    address = (address or "").strip()[:500]
    if lat is None and not address:
        raise ValidationError({"address": _("Give the place: a point on the map or an address.")})
    contact = {k: (v or "").strip() for k, v in (complainant or {}).items()}
    language = contact.pop("language", "") or "ru"
    anonymous = not any(contact.get(k) for k in ("name", "phone", "email", "iin"))
    if category.requires_identity and (anonymous or not contact.get("name")):
        raise ValidationError(
            {"complainant": _("This kind of complaint needs your name and a way to reach you.")}
        )
    iin = contact.get("iin", "")
    if iin and (len(iin) != 12 or not iin.isdigit()):
        raise ValidationError({"iin": _("An IIN is 12 digits.")})
    if actor is not None and roles.CLERK not in roles.user_roles(actor):
        raise PermissionDenied(_("Only a clerk records complaints on a citizen's behalf."))
    profile = getattr(actor, "staff_profile", None) if actor is not None else None
    if actor is not None and (profile is None or profile.district_id != district.pk):
        raise PermissionDenied(_("You may record complaints only for your own district."))
    checked = _checked(photos, "photos")

    def work(saved: list[str]) -> Case:
        now = received_at or clock.now()
        person = None
        if not anonymous:
            person = Complainant.objects.create(
                anonymous=False,
                name=contact.get("name", "")[:300],
                phone=contact.get("phone", "")[:64],
                email=contact.get("email", "")[:254],
                iin=iin,
                language=language,
            )
        case = Case(
            title=title,
            description=description,
            category=category,
            latitude=lat,
            longitude=lon,
            address=address,
            region=district.region,
            district=district,
            channel=channel,
            complainant=person,
            priority=priority,
            received_at=now,
            state_changed_at=now,
            due_at=deadlines.answer_due(now, category.sla_total_days),
        )
        case.stage_due_at = _stage_due(case, now)
        case.tracking_code = _next_tracking_code(case, now.astimezone(deadlines.local_zone()).year)
        case._history_date = now
        case._history_user = actor
        case.save()
        # The row above is the history's "created" record; the event's save adds no second one.
        case.skip_history_when_saving = True
        attachments = _store_images(case, [("complaint", image) for image in checked], actor, saved)
        _record(
            case,
            actor=actor,
            role=roles.CLERK if actor is not None else "citizen",
            action="open",
            from_state="",
            payload={
                "channel": channel,
                "category": category.code,
                "photos": [a.pk for a in attachments],
                **(payload or {}),
            },
        )
        del case.skip_history_when_saving
        return case

    with clock.frozen_at(received_at) if received_at else contextlib.nullcontext():
        return _run_with_files(work)


# ---------------------------------------------------------------------------------------------
# The lifecycle


def case_assign(
    case: Case | int, *, actor, department: Department, reason: str = "", version: int | None = None
) -> Case:
    """Route a case to a department (or redirect a misrouted one to another department)."""
    with transaction.atomic():
        case = _lock(case)
        check_version(case, version)
        role = transition_authorise("assign", case, actor)
        if not isinstance(department, Department):
            raise ValidationError({"department": _("Choose a department.")})
        if department.district.region_id != case.region_id:
            raise ValidationError({"department": _("The department must be in the case's region.")})
        if department.pk == case.department_id:
            raise ValidationError({"department": _("The case is already with this department.")})
        reason = (reason or "").strip()[:REASON_MAX]
        now = clock.now()
        from_state = case.state
        previous = case.department_id
        rerouting = from_state == CaseState.ASSIGNED
        if rerouting and not reason:
            raise ValidationError({"reason": _("Say why the case goes to another department.")})
        late = bool(rerouting and case.redirect_due_at and now > case.redirect_due_at)
        case.assign(department)
        case.stage_due_at = _stage_due(case, now)
        case.redirect_due_at = deadlines.add_working_days(now, deadlines.REDIRECT_DAYS)
        _record(
            case,
            actor=actor,
            role=role,
            action="assign",
            from_state=from_state,
            reason=reason,
            payload={
                "department": department.pk,
                "previous_department": previous,
                "reroute": rerouting,
                "late_redirect": late,
            },
        )
        return case


def case_notify_contractor(
    case: Case | int, *, actor, work_order, version: int | None = None
) -> Case:
    """Tell the contractor of a newly issued work order. Called by `contractors.services`."""
    with transaction.atomic():
        case = _lock(case)
        check_version(case, version)
        role = transition_authorise("notify_contractor", case, actor)
        if work_order is None or getattr(work_order, "case_id", None) != case.pk:
            raise ValidationError({"work_order": _("A work order for this case is required.")})
        if getattr(work_order, "contract_id", None) is None:
            raise ValidationError({"work_order": _("The work order must be under a contract.")})
        now = clock.now()
        from_state = case.state
        case.notify_contractor(actor)
        case.stage_due_at = work_order.due_at or _stage_due(case, now)
        _record(
            case,
            actor=actor,
            role=role,
            action="notify_contractor",
            from_state=from_state,
            payload={
                "work_order": work_order.pk,
                "contract": work_order.contract_id,
                "contractor": work_order.contractor_id,
                "due_at": case.stage_due_at.isoformat() if case.stage_due_at else None,
            },
        )
        return case


def case_report_repaired(
    case: Case | int,
    *,
    actor,
    before: Iterable | None = None,
    after: Iterable | None = None,
    note: str = "",
    version: int | None = None,
    evidence_payload: dict[str, Any] | None = None,
) -> Case:
    """The contractor reports the repair done, with photos from before and after it."""
    before_images = _checked(before, "before")
    after_images = _checked(after, "after")

    def work(saved: list[str]) -> Case:
        locked = _lock(case)
        check_version(locked, version)
        role = transition_authorise("report_repaired", locked, actor)
        missing = {}
        if not before_images:
            missing["before"] = _("Add at least one photo from before the repair.")
        if not after_images:
            missing["after"] = _("Add at least one photo of the finished repair.")
        if missing:
            raise ValidationError(missing)
        now = clock.now()
        from_state = locked.state
        stored = _store_images(
            locked,
            [("before", i) for i in before_images] + [("after", i) for i in after_images],
            actor,
            saved,
        )
        locked.report_repaired()
        locked.stage_due_at = _stage_due(locked, now)
        _record(
            locked,
            actor=actor,
            role=role,
            action="report_repaired",
            from_state=from_state,
            reason=(note or "").strip()[:REASON_MAX],
            payload={"photos": [a.pk for a in stored], **(evidence_payload or {})},
        )
        return locked

    return _run_with_files(work)


def case_verify(
    case: Case | int,
    *,
    actor,
    note: str = "",
    photos: Iterable | None = None,
    version: int | None = None,
) -> Case:
    """An inspector (not the one who issued the order) accepts the repair on site."""
    images = _checked(photos, "photos")

    def work(saved: list[str]) -> Case:
        locked = _lock(case)
        check_version(locked, version)
        role = transition_authorise("verify", locked, actor)
        from_state = locked.state
        stored = _store_images(locked, [("inspection", i) for i in images], actor, saved)
        locked.verify(actor)
        locked.stage_due_at = None
        _record(
            locked,
            actor=actor,
            role=role,
            action="verify",
            from_state=from_state,
            reason=(note or "").strip()[:REASON_MAX],
            payload={
                "photos": [a.pk for a in stored],
                "work_order_issued_by": locked.work_order_issued_by_id,
            },
        )
        return locked

    return _run_with_files(work)


def case_return_for_rework(
    case: Case | int,
    *,
    actor,
    reason: str,
    photos: Iterable | None = None,
    version: int | None = None,
) -> Case:
    """An inspector sends the repair back to the contractor, saying why."""
    images = _checked(photos, "photos")

    def work(saved: list[str]) -> Case:
        locked = _lock(case)
        check_version(locked, version)
        role = transition_authorise("return_for_rework", locked, actor)
        text = _required_text(reason, "reason", _("Say what is wrong with the repair."))
        now = clock.now()
        from_state = locked.state
        stored = _store_images(locked, [("inspection", i) for i in images], actor, saved)
        locked.return_for_rework()
        locked.stage_due_at = _stage_due(locked, now)
        _record(
            locked,
            actor=actor,
            role=role,
            action="return_for_rework",
            from_state=from_state,
            reason=text,
            payload={"photos": [a.pk for a in stored], "round": locked.rework_count},
        )
        return locked

    return _run_with_files(work)


def case_reject(
    case: Case | int,
    *,
    actor,
    reason_code: str,
    reason: str,
    duplicate_of: Case | int | None = None,
    version: int | None = None,
) -> Case:
    """Close a case without a repair, with a reason code and an explanation for the citizen."""
    with transaction.atomic():
        case = _lock(case)
        check_version(case, version)
        role = transition_authorise("reject", case, actor)
        if reason_code not in RejectReason.values:
            raise ValidationError({"reason_code": _("Choose one of the listed reasons.")})
        text = _required_text(reason, "reason", _("Explain the decision to the citizen."))
        original = None
        if reason_code == RejectReason.DUPLICATE:
            if duplicate_of in (None, ""):
                raise ValidationError({"duplicate_of": _("Name the case this one duplicates.")})
            original_pk = duplicate_of.pk if isinstance(duplicate_of, Case) else duplicate_of
            original = Case.objects.filter(pk=original_pk).first()
            if original is None or original.region_id != case.region_id:
                raise ValidationError({"duplicate_of": _("No such case in this region.")})
            if original.pk == case.pk:
                raise ValidationError({"duplicate_of": _("A case cannot duplicate itself.")})
            if original.duplicate_of_id is not None:
                raise ValidationError(
                    {"duplicate_of": _("That case is itself a duplicate; name the original.")}
                )
        elif duplicate_of not in (None, ""):
            raise ValidationError({"duplicate_of": _("Only a duplicate names another case.")})
        from_state = case.state
        case.reject(reason_code, original)
        case.stage_due_at = None
        _record(
            case,
            actor=actor,
            role=role,
            action="reject",
            from_state=from_state,
            reason=text,
            payload={"reason_code": reason_code, "duplicate_of": original.pk if original else None},
        )
        return case


REOPEN_KINDS = ("warranty_defect", "citizen_dispute", "appeal")


def case_reopen(
    case: Case | int,
    *,
    actor,
    reason: str,
    kind: str | None = None,
    citizen_token: str | None = None,
    version: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Case:
    """Reopen a closed case: a verified repair failed (warranty defect, citizen dispute) or a
    rejection is appealed. The event records whose sign-offs failed."""
    with transaction.atomic():
        case = _lock(case)
        check_version(case, version)
        if citizen_token is not None:
            # The citizen disputes the fix or appeals, from their tracking page.
            if not secrets.compare_digest(citizen_token, case.access_token):
                raise PermissionDenied(_("This link does not belong to this case."))
            if not can_proceed(case.reopen):
                raise TransitionConflict(_("Only a closed case can be reopened."), state=case.state)
            role, actor = "citizen", None
        else:
            role = transition_authorise("reopen", case, actor)
        text = _required_text(reason, "reason", _("Say why the case is reopened."))
        default_kind = "appeal" if case.state == CaseState.REJECTED else "citizen_dispute"
        kind = kind or default_kind
        if kind not in REOPEN_KINDS:
            raise ValidationError({"kind": _("Unknown reason for reopening.")})
        if (kind == "appeal") != (case.state == CaseState.REJECTED):
            raise ValidationError(
                {"kind": _("An appeal reopens a rejected case; a defect, a verified one.")}
            )
        now = clock.now()
        from_state = case.state
        failed = {}
        if from_state == CaseState.VERIFIED:
            failed = {
                "failed_verification_by": case.verified_by_id,
                "failed_work_order_issued_by": case.work_order_issued_by_id,
            }
        case.reopen()
        case.due_at = deadlines.answer_due(now, case.category.sla_total_days)
        case.stage_due_at = _stage_due(case, now)
        _record(
            case,
            actor=actor,
            role=role,
            action="reopen",
            from_state=from_state,
            reason=text,
            payload={"kind": kind, **failed, **(payload or {})},
        )
        return case


def case_extend_deadline(
    case: Case | int, *, actor, new_due_at: dt.datetime, decision: str, version: int | None = None
) -> Case:
    """Extend the answer deadline by a motivated decision: at most two months from receipt; the
    citizen must be told within 3 working days (queued here)."""
    with transaction.atomic():
        case = _lock(case)
        check_version(case, version)
        granted = roles.TRANSITION_ROLES["extend_deadline"] & roles.user_roles(actor)
        if actor is None or not granted:
            raise PermissionDenied(_("Your role may not do this."))
        if case.state in CLOSED_STATES:
            raise TransitionConflict(
                _("A closed case has no deadline to extend."), state=case.state
            )
        role = next(
            (r for r in roles.ROLES if r in granted and scopes.role_covers(r, actor, case)),
            None,
        )
        if role is None:
            raise PermissionDenied(_("You may not do this on this case."))
        text = _required_text(decision, "decision", _("The extension needs a motivated decision."))
        if not isinstance(new_due_at, dt.datetime) or new_due_at.tzinfo is None:
            raise ValidationError({"new_due_at": _("Give the new deadline as a date and time.")})
        cap = deadlines.extension_cap(case.received_at)
        if new_due_at <= case.due_at:
            raise ValidationError(
                {"new_due_at": _("The new deadline must be later than the current one.")}
            )
        if new_due_at > cap:
            raise ValidationError(
                {
                    "new_due_at": _("At most two months from receipt: no later than %(cap)s.")
                    % {"cap": cap.strftime("%d.%m.%Y %H:%M")}
                }
            )
        now = clock.now()
        old = case.due_at
        case.due_at = new_due_at
        case.extension_count += 1
        notice_due = deadlines.add_working_days(now, deadlines.EXTENSION_NOTICE_DAYS)
        event = _record(
            case,
            actor=actor,
            role=role,
            action="extend_deadline",
            from_state=case.state,
            reason=text,
            payload={
                "previous_due_at": old.isoformat(),
                "due_at": new_due_at.isoformat(),
                "citizen_notice_due_at": notice_due.isoformat(),
            },
        )
        outbox.enqueue(
            "citizen_notice",
            {"case": case.pk, "event": event.pk, "notice": "deadline_extended"},
            dedupe_key=f"citizen_notice:{event.pk}",
        )
        return case


# ---------------------------------------------------------------------------------------------
# Personal data


CONTACT_FIELDS = ("name", "phone", "email", "iin")


def complainant_reveal(case: Case | int, *, actor, reason: str) -> dict[str, str]:
    """Give the complainant's contact data to a staff member who may read it, logging why."""
    with transaction.atomic():
        case = _lock(case)
        role = permissions.may_read_contact(case, actor)
        if role is None:
            raise PermissionDenied(_("You may not see who complained."))
        text = _required_text(reason, "reason", _("Say why you need the contact data."))
        person = case.complainant
        data = {field: getattr(person, field) for field in CONTACT_FIELDS} if person else {}
        event_append(
            case,
            actor=actor,
            role=role,
            action="complainant_revealed",
            from_state=case.state,
            to_state=case.state,
            reason=text,
            payload={"fields": [f for f, v in data.items() if v], "anonymous": person is None},
        )
        case.skip_history_when_saving = True
        case.save(update_fields=["event_seq"])
        del case.skip_history_when_saving
        return data


# ---------------------------------------------------------------------------------------------
# The citizen's word on the repair


def case_citizen_confirm(case: Case | int, *, citizen_token: str, note: str = "") -> Case:
    """The citizen confirms, from their tracking page, that the verified repair is good.
    (Disputing it is `case_reopen(..., citizen_token=...)`.) The state does not change."""
    with transaction.atomic():
        case = _lock(case)
        token = (citizen_token or "").encode()
        if not token or not secrets.compare_digest(token, case.access_token.encode()):
            raise PermissionDenied(_("This link does not belong to this case."))
        if case.state != CaseState.VERIFIED:
            raise TransitionConflict(
                _("Only a repair that an inspector accepted can be confirmed."), state=case.state
            )
        last = (
            CaseEvent.objects.filter(case=case, action__in=("verify", "citizen_confirm"))
            .order_by("-seq")
            .first()
        )
        if last is not None and last.action == "citizen_confirm":
            raise TransitionConflict(_("You have already confirmed this repair."), state=case.state)
        _record(
            case,
            actor=None,
            role="citizen",
            action="citizen_confirm",
            from_state=case.state,
            reason=(note or "").strip()[:REASON_MAX],
        )
        return case
