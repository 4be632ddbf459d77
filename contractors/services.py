"""Writes for contractors' data. Case changes go through `casework.services`.

Each service locks the case row first (then its work orders), like the case services do, so
that locks are always taken in the same order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casework import clock, deadlines, outbox, roles, services
from casework.audit import event_append
from casework.models import Case, CaseEvent
from casework.uploads import image_check
from contractors import conf
from contractors.models import Contract, ContractorMember, WarrantyClaim, WorkOrder

OPEN_STATUSES = (
    WorkOrder.Status.ISSUED,
    WorkOrder.Status.ACKNOWLEDGED,
    WorkOrder.Status.RETURNED,
)


def _lock_case(case: Case | int) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    locked = Case.objects.select_for_update().select_related("category").filter(pk=pk).first()
    if locked is None:
        raise ValidationError({"case": _("No such case.")})
    return locked


def case_note(
    case: Case,
    *,
    actor,
    role: str,
    action: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append an event that records a fact about a case without changing its state.
    `case` must be locked (or created) in the current transaction."""
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


def contractor_of(user) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if roles.CONTRACTOR not in roles.user_roles(user):
        return None
    member = ContractorMember.objects.filter(user=user).only("contractor_id").first()
    return member.contractor_id if member else None


# ---------------------------------------------------------------------------------------------
# Issuing


def work_order_issue(
    case: Case | int,
    *,
    actor,
    contract: Contract | int,
    due_at: dt.datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> WorkOrder:
    """Issue a work order under a contract; the case moves to `contractor_notified` and the
    contractor is told. A case that is a warranty claim may go to the original contract even
    after it ended: the contractor owes that repair at no new cost."""
    with transaction.atomic():
        locked = _lock_case(case)
        services.check_version(locked, version)
        services.transition_authorise("notify_contractor", locked, actor)
        if not isinstance(contract, Contract):
            contract = Contract.objects.filter(pk=contract).first()
            if contract is None:
                raise ValidationError({"contract": _("No such contract.")})
        claim = WarrantyClaim.objects.filter(case=locked).first()
        under_warranty = claim is not None and claim.contract_id == contract.pk
        now = clock.now()
        today = now.astimezone(deadlines.local_zone()).date()
        problems = []
        if contract.department_id != locked.department_id:
            problems.append(_("The contract is held by another department."))
        if not contract.districts.filter(pk=locked.district_id).exists():
            problems.append(_("The contract does not cover this district."))
        if not contract.categories.filter(pk=locked.category_id).exists():
            problems.append(_("The contract does not cover this kind of work."))
        if not (contract.starts_on <= today <= contract.ends_on) and not under_warranty:
            problems.append(_("The contract is not in force today."))
        if problems:
            raise ValidationError({"contract": problems})
        if due_at is None:
            due_at = deadlines.add_working_days(now, locked.category.sla_repair_days)
        elif due_at <= now:
            raise ValidationError({"due_at": _("The due date must be in the future.")})
        for earlier in WorkOrder.objects.select_for_update().filter(
            case=locked, status__in=OPEN_STATUSES + (WorkOrder.Status.REPORTED,)
        ):
            earlier.status = WorkOrder.Status.SUPERSEDED
            earlier.save(update_fields=["status"])
        order = WorkOrder.objects.create(
            case=locked,
            contract=contract,
            contractor_id=contract.contractor_id,
            issued_by=actor,
            issued_at=now,
            due_at=due_at,
            acknowledge_due_at=deadlines.add_working_days(now, conf.ACKNOWLEDGE_WORKING_DAYS),
            note=(note or "").strip(),
            warranty_claim=claim if under_warranty else None,
        )
        services.case_notify_contractor(locked, actor=actor, work_order=order, version=version)
        outbox.enqueue(
            "contractor_work_order_notice",
            {"work_order": order.pk, "notice": "issued"},
            dedupe_key=f"contractor_work_order_notice:{order.pk}",
        )
        return order


def current_work_order(case: Case) -> WorkOrder | None:
    return (
        WorkOrder.objects.filter(case=case)
        .exclude(status=WorkOrder.Status.SUPERSEDED)
        .order_by("-issued_at", "-id")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# The contractor's side


def work_order_acknowledge(order: WorkOrder | int, *, actor) -> WorkOrder:
    """The contractor confirms they have the order. Doing it twice changes nothing."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    with transaction.atomic():
        row = WorkOrder.objects.filter(pk=pk).only("case_id").first()
        if row is None:
            raise ValidationError({"work_order": _("No such work order.")})
        case = _lock_case(row.case_id)
        order = WorkOrder.objects.select_for_update().get(pk=pk)
        if order.contractor_id != contractor_of(actor):
            raise PermissionDenied(_("This work order is not yours."))
        if order.status == WorkOrder.Status.SUPERSEDED:
            raise services.TransitionConflict(
                _("This work order was replaced by another one."), state=case.state
            )
        if order.acknowledged_at is not None:
            return order
        now = clock.now()
        order.acknowledged_at = now
        if order.status == WorkOrder.Status.ISSUED:
            order.status = WorkOrder.Status.ACKNOWLEDGED
        order.save(update_fields=["acknowledged_at", "status"])
        late = bool(order.acknowledge_due_at and now > order.acknowledge_due_at)
        case_note(
            case,
            actor=actor,
            role=roles.CONTRACTOR,
            action="work_order_acknowledged",
            payload={"work_order": order.pk, "late": late},
        )
        return order


def work_order_report_repair(
    case: Case | int,
    *,
    actor,
    before: Iterable | None,
    after: Iterable | None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """The contractor reports the repair on their current work order, with before/after photos.

    Every way in (API, staff task, contractor portal) calls this. The photos are checked here
    (real images, within limits) before anything is written; the EXIF time and place, reuse on
    other cases and an "after" photo that is the "before" one again are checked as each photo is
    stored (`contractors.evidence`) and flagged on the case for the inspector."""
    before_images = [image_check(f, field="before") for f in (before or [])]
    after_images = [image_check(f, field="after") for f in (after or [])]
    return services.case_report_repaired(
        case,
        actor=actor,
        before=before_images,
        after=after_images,
        note=note,
        version=version,
        evidence_payload={
            "photos_without_time": sum(1 for i in before_images + after_images if not i.taken_at),
            "photos_without_location": sum(
                1 for i in before_images + after_images if i.latitude is None
            ),
        },
    )


# ---------------------------------------------------------------------------------------------
# Escalation of unacknowledged orders


def work_orders_unacknowledged(now: dt.datetime | None = None):
    """Orders not acknowledged by their deadline and not yet escalated (one query)."""
    return WorkOrder.objects.filter(
        acknowledged_at__isnull=True,
        acknowledge_escalated_at__isnull=True,
        acknowledge_due_at__lt=now or clock.now(),
        status=WorkOrder.Status.ISSUED,
    )


def work_orders_escalate_unacknowledged(now: dt.datetime | None = None) -> int:
    """Escalate every order whose contractor missed the acknowledgement deadline: an event on the
    case and a message to the issuing officer and the department. Safe to run twice, and from
    several workers at once (each order is claimed under a lock). Returns how many escalated."""
    now = now or clock.now()
    count = 0
    for order_id, case_id in work_orders_unacknowledged(now).values_list("pk", "case_id"):
        with transaction.atomic():
            case = _lock_case(case_id)
            order = work_orders_unacknowledged(now).select_for_update().filter(pk=order_id).first()
            if order is None:
                continue
            order.acknowledge_escalated_at = now
            order.save(update_fields=["acknowledge_escalated_at"])
            event = case_note(
                case,
                actor=None,
                role="system",
                action="work_order_acknowledgement_overdue",
                payload={
                    "work_order": order.pk,
                    "contractor": order.contractor_id,
                    "acknowledge_due_at": order.acknowledge_due_at.isoformat(),
                },
            )
            outbox.enqueue(
                "work_order_escalation",
                {"work_order": order.pk, "event": event.pk},
                dedupe_key=f"work_order_escalation:{order.pk}",
            )
            count += 1
    return count
