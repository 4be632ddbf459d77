"""The only code that writes cases.

Each service runs in one transaction: lock the case row, check the actor may act, take the
transition, write one `CaseEvent`, and queue side effects to run after commit. Errors:
`PermissionDenied` (the actor may not), `TransitionConflict` (not from this state, or the case
changed meanwhile), `ValidationError` (bad input). On any error nothing is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import secrets
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from casework import clock, deadlines, limits, outbox, permissions, roles, tracking
from casework.audit import NewEvent, event_append, events_append_many
from casework.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    Complainant,
    Department,
    District,
    EscalationLevel,
)
from casework.photo_jobs import attachment_process_later
from casework.selectors import cases_visible_to
from casework.signals import case_changed
from casework.states import CLOSED_STATES, CaseState, Channel, Priority, RejectReason
from casework.uploads import (
    CheckedImage,
    ProbedImage,
    attachment_store,
    files_discard,
    image_check,
    image_probe,
    original_keep,
    original_name_of,
)

REASON_MAX = 4000
CASE_EVENT_TOPIC = "case.event"


class TransitionConflict(Exception):
    """The transition is not possible from the case's current state (HTTP 409)."""

    def __init__(self, message: str, *, state: str | None = None):
        super().__init__(message)
        self.state = state


# ---------------------------------------------------------------------------------------------
# Shared machinery


def case_lock(case: Case | int) -> Case:
    """The case row, locked for the rest of the transaction. Every writer takes this lock first
    (then any rows of its own), so that locks are always taken in the same order."""
    pk = case.pk if isinstance(case, Case) else case
    try:
        return Case.objects.select_for_update().select_related("category").get(pk=pk)
    except Case.DoesNotExist:
        raise ValidationError({"case": _("No such case.")}) from None


def case_note(
    case: Case,
    *,
    actor,
    role: str,
    action: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append an event that records a fact about a case without changing its state (a work
    order acknowledged, contact data revealed, an original photo opened). `case` must be locked
    (`case_lock`) or created in the current transaction."""
    event = event_append(
        case,
        actor=actor,
        role=role,
        action=action,
        from_state=case.state,
        to_state=case.state,
        reason=reason,
        payload=payload,
    )
    had_flag = getattr(case, "skip_history_when_saving", False)
    case.skip_history_when_saving = True
    case.save(update_fields=["event_seq"])
    if not had_flag:
        del case.skip_history_when_saving
    return event


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
    """Role check first (403), then the kind of case (403: a corruption report takes only its own
    transitions), then the state (409), then the role's rule in this state (403)."""
    granted = roles.TRANSITION_ROLES.get(name, frozenset()) & roles.user_roles(actor)
    if actor is None or not granted:
        raise PermissionDenied(_("Your role may not do this."))
    if not permissions.in_lane(name, case):
        if case.category.corruption_report:
            raise PermissionDenied(
                _(
                    "A corruption report is handled by the anti-corruption investigators of its "
                    "region only: it is never routed to a department or a contractor."
                )
            )
        raise PermissionDenied(_("Only a corruption report is reviewed by investigators."))
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
        payload={**(payload or {}), **_deadlines_in_force(case)},
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


def _deadlines_in_force(case: Case) -> dict[str, str | None]:
    """The deadlines as this event leaves them, kept on the event: reports count lateness
    against what was set at the time, not against today's category settings."""
    return {
        "answer_due_at": case.due_at.isoformat() if case.due_at else None,
        "stage_due_at": case.stage_due_at.isoformat() if case.stage_due_at else None,
    }


def _stage_due(case: Case, start: dt.datetime) -> dt.datetime | None:
    if case.state in CLOSED_STATES:
        return None
    if case.state == CaseState.UNDER_REVIEW:
        # A corruption report under review has one stage left: the answer itself.
        return case.due_at
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


def _new_tracking_code(case: Case, year: int) -> str:
    """A random code no case has (the unique constraint stands behind the check)."""
    while True:
        code = tracking.tracking_code_new(case.region.code, year)
        if not Case.objects.filter(tracking_code=code).exists():
            return code


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
    elif len(title) > limits.TITLE_MAX_CHARS:
        errors["title"] = _("At most %(n)d characters, please.") % {"n": limits.TITLE_MAX_CHARS}
    if not description:
        errors["description"] = _("Describe the problem.")
    elif len(description) > limits.DESCRIPTION_MAX_CHARS:
        errors["description"] = _("At most %(n)d characters, please.") % {
            "n": limits.DESCRIPTION_MAX_CHARS
        }
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
    # Photos already checked in a worker (chat channels) are stored now; uploads get the header
    # check here and the rest in a worker (casework.photo_jobs), off the request path.
    images = [p if isinstance(p, CheckedImage) else image_probe(p) for p in (photos or [])]
    checked = [image for image in images if isinstance(image, CheckedImage)]
    probed = [image for image in images if isinstance(image, ProbedImage)]

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
        case.tracking_code = _new_tracking_code(case, now.astimezone(deadlines.local_zone()).year)
        case._history_date = now
        case._history_user = actor
        case.save()
        # The row above is the history's "created" record; the event's save adds no second one.
        case.skip_history_when_saving = True
        attachments = _store_images(case, [("complaint", image) for image in checked], actor, saved)
        for image in probed:
            original_keep(image, saved=saved)
            attachment_process_later(case, image, kind="complaint", uploaded_by=actor)
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
                **({"photos_to_process": [image.sha256 for image in probed]} if probed else {}),
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
        case = case_lock(case)
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
        case = case_lock(case)
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
        locked = case_lock(case)
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
        locked = case_lock(case)
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
        locked = case_lock(case)
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
        case = case_lock(case)
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


# ---------------------------------------------------------------------------------------------
# Corruption reports: received -> under review -> referred / closed with an answer, by the
# anti-corruption investigators of the case's region only (never a department or a contractor).


def case_review_start(
    case: Case | int, *, actor, note: str = "", version: int | None = None
) -> Case:
    """An investigator of the case's region takes up a corruption report for review."""
    with transaction.atomic():
        case = case_lock(case)
        check_version(case, version)
        role = transition_authorise("review_start", case, actor)
        now = clock.now()
        from_state = case.state
        case.review_start()
        case.stage_due_at = _stage_due(case, now)
        _record(
            case,
            actor=actor,
            role=role,
            action="review_start",
            from_state=from_state,
            reason=(note or "").strip()[:REASON_MAX],
        )
        return case


def case_refer(
    case: Case | int,
    *,
    actor,
    referred_to: str,
    answer: str,
    version: int | None = None,
) -> Case:
    """Close a reviewed corruption report by referring it to the body that investigates it
    (`referred_to`), with the answer the citizen reads."""
    with transaction.atomic():
        case = case_lock(case)
        check_version(case, version)
        role = transition_authorise("refer", case, actor)
        body = _required_text(referred_to, "referred_to", _("Name the body the report goes to."))
        text = _required_text(answer, "answer", _("Write the answer for the citizen."))
        from_state = case.state
        case.refer()
        case.stage_due_at = None
        _record(
            case,
            actor=actor,
            role=role,
            action="refer",
            from_state=from_state,
            reason=text,
            payload={"referred_to": body[:300]},
        )
        return case


def case_answer(case: Case | int, *, actor, answer: str, version: int | None = None) -> Case:
    """Close a reviewed corruption report with a motivated answer to the citizen."""
    with transaction.atomic():
        case = case_lock(case)
        check_version(case, version)
        role = transition_authorise("answer", case, actor)
        text = _required_text(answer, "answer", _("Write the answer for the citizen."))
        from_state = case.state
        case.answer()
        case.stage_due_at = None
        _record(
            case,
            actor=actor,
            role=role,
            action="answer",
            from_state=from_state,
            reason=text,
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
        case = case_lock(case)
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
        case = case_lock(case)
        check_version(case, version)
        granted = roles.TRANSITION_ROLES["extend_deadline"] & roles.user_roles(actor)
        if actor is None or not granted:
            raise PermissionDenied(_("Your role may not do this."))
        if case.state in CLOSED_STATES:
            raise TransitionConflict(
                _("A closed case has no deadline to extend."), state=case.state
            )
        role = permissions.acting_role("extend_deadline", case, actor)
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
        if case.state == CaseState.UNDER_REVIEW:
            case.stage_due_at = new_due_at
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
# A reason someone else can check later: a sentence, not "." or "asdf".
REVEAL_REASON_MIN_CHARS = 20
REVEAL_REASON_MIN_WORDS = 3
_WORD = re.compile(r"[^\W\d_]{2,}")


def reveal_reason_clean(reason: str | None) -> str:
    """The reason for a reveal, stripped; `ValidationError` unless it is a real sentence (at least
    REVEAL_REASON_MIN_CHARS characters and REVEAL_REASON_MIN_WORDS different words)."""
    text = _required_text(reason, "reason", _("Say why you need the contact data."))
    words = {word.lower() for word in _WORD.findall(text)}
    if len(text) < REVEAL_REASON_MIN_CHARS or len(words) < REVEAL_REASON_MIN_WORDS:
        raise ValidationError(
            {
                "reason": _(
                    "Give the reason in a sentence of at least %(chars)d characters and "
                    "%(words)d words: what you will do with the contact data and why."
                )
                % {"chars": REVEAL_REASON_MIN_CHARS, "words": REVEAL_REASON_MIN_WORDS}
            }
        )
    return text


def complainant_reveal(case: Case | int, *, actor, reason: str) -> dict[str, str]:
    """Give the complainant's contact data to a staff member who may read it, logging why.
    A corruption reporter is revealed only to the anti-corruption investigators of the case's
    region."""
    with transaction.atomic():
        case = case_lock(case)
        role = permissions.may_read_contact(case, actor)
        if role is None:
            if case.category.corruption_report:
                raise PermissionDenied(
                    _(
                        "Only the anti-corruption investigators of this region may know who "
                        "reported corruption (Article 424 of the Criminal Code)."
                    )
                )
            raise PermissionDenied(_("You may not see who complained."))
        text = reveal_reason_clean(reason)
        person = case.complainant
        data = {field: getattr(person, field) for field in CONTACT_FIELDS} if person else {}
        case_note(
            case,
            actor=actor,
            role=role,
            action="complainant_revealed",
            reason=text,
            payload={"fields": [f for f, v in data.items() if v], "anonymous": person is None},
        )
        return data


def attachment_original_open(attachment: Attachment | int, *, actor) -> str:
    """The storage name of a photo's original (location EXIF and all), for an investigator (or
    an administrator) who may see the case; each opening is written to the case's history.
    `ObjectDoesNotExist` when there is no such photo for this actor, or no original kept."""
    if actor is None or not (actor.is_superuser or roles.INVESTIGATOR in roles.user_roles(actor)):
        raise PermissionDenied(_("Only investigators may open original photos."))
    pk = attachment.pk if isinstance(attachment, Attachment) else attachment
    row = Attachment.objects.filter(pk=pk).first()
    if row is None or not cases_visible_to(actor).filter(pk=row.case_id).exists():
        raise ObjectDoesNotExist(_("No such photo, or it is not yours to see."))
    name = original_name_of(row)
    if name is None:
        raise ObjectDoesNotExist(_("The original of this photo is not kept."))
    with transaction.atomic():
        case_note(
            case_lock(row.case_id),
            actor=actor,
            role="admin" if actor.is_superuser else roles.INVESTIGATOR,
            action="photo_original_opened",
            payload={"attachment": row.pk},
        )
    return name


# ---------------------------------------------------------------------------------------------
# The citizen's word on the repair


def case_citizen_confirm(case: Case | int, *, citizen_token: str, note: str = "") -> Case:
    """The citizen confirms, from their tracking page, that the verified repair is good.
    (Disputing it is `case_reopen(..., citizen_token=...)`.) The state does not change."""
    with transaction.atomic():
        case = case_lock(case)
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


# ---------------------------------------------------------------------------------------------
# Escalation of breached deadlines (found by `casework.sweep`)

ESCALATE = "escalate"


class DueEscalation(NamedTuple):
    """A pending escalation whose moment has come."""

    pk: int
    case_id: int
    level: int
    deadline_at: dt.datetime


def case_escalations_fire(
    rows: list[DueEscalation], cases: dict[int, dict], now: dt.datetime
) -> list[CaseEvent]:
    """Fire the sweep's due escalations: one event each on the audit chain, the new level and
    event count on each case (with its history row), the rows marked fired, the notices queued.
    Call with the cases locked (`casework.sweep` does); `cases` holds each one's id, state,
    event_seq and escalation_level as read under the lock. Set-based: a few statements for any
    number of rows."""
    new_events = []
    levels: dict[int, int] = {}
    for row in rows:
        case = cases[row.case_id]
        case["event_seq"] += 1
        levels[row.case_id] = max(levels.get(row.case_id, case["escalation_level"]), row.level)
        new_events.append(
            NewEvent(
                case_id=row.case_id,
                seq=case["event_seq"],
                action=ESCALATE,
                from_state=case["state"],
                to_state=case["state"],
                role="system",
                payload={
                    "escalation": row.pk,
                    "level": row.level,
                    "deadline": "answer" if row.level == EscalationLevel.INVESTIGATORS else "stage",
                    "deadline_at": row.deadline_at.isoformat(),
                    "stage": case["state"],
                },
            )
        )
    events = events_append_many(new_events)
    fired = [(row.pk, event.pk) for row, event in zip(rows, events, strict=True)]
    cases_now = [(pk, cases[pk]["event_seq"], level) for pk, level in levels.items()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement each, as a plain UPDATE of these rows would be.
            cursor.execute(
                "UPDATE casework_escalation AS e SET fired_at = %s, event_id = u.event_id "
                "FROM json_to_recordset(%s::json) AS u(id bigint, event_id bigint) "
                "WHERE e.id = u.id",
                [now, json.dumps([{"id": pk, "event_id": event} for pk, event in fired])],
            )
            # Case.objects.update() is refused because it would skip the history; this writes
            # the history rows itself, below, for exactly these cases.
            cursor.execute(
                "UPDATE casework_case AS c SET event_seq = u.seq, escalation_level = u.level "
                "FROM json_to_recordset(%s::json) AS u(id bigint, seq int, level int) "
                "WHERE c.id = u.id",
                [json.dumps([{"id": pk, "seq": seq, "level": lvl} for pk, seq, lvl in cases_now])],
            )
        else:
            cursor.executemany(
                "UPDATE casework_escalation SET fired_at = %s, event_id = %s WHERE id = %s",
                [(now, event, pk) for pk, event in fired],
            )
            cursor.executemany(
                "UPDATE casework_case SET event_seq = %s, escalation_level = %s WHERE id = %s",
                [(seq, level, pk) for pk, seq, level in cases_now],
            )
        _escalation_history_snapshot(cursor, list(levels), now)
    outbox.publish_many(
        CASE_EVENT_TOPIC,
        [
            (
                {
                    "case": event.case_id,
                    "event": event.pk,
                    "action": ESCALATE,
                    "to_state": event.to_state,
                    "level": row.level,
                },
                str(event.pk),
            )
            for row, event in zip(rows, events, strict=True)
        ],
    )
    return events


def _escalation_history_snapshot(cursor, case_ids: list[int], now: dt.datetime) -> None:
    """One django-simple-history row per escalated case, copied from the case row in SQL."""
    historical = Case.history.model
    quote = connection.ops.quote_name
    columns = [
        f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")
    ]
    column_list = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(case_ids))
    cursor.execute(
        f"INSERT INTO {quote(historical._meta.db_table)} ({column_list}, history_date, "  # noqa: S608
        f"history_change_reason, history_type, history_user_id) "
        f"SELECT {column_list}, %s, %s, '~', NULL FROM casework_case WHERE id IN ({marks})",
        [now, ESCALATE, *case_ids],
    )
