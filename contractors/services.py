"""The only code that writes work orders. Case changes go through `casework.services`.

Each service locks the case row first (`casework.services.case_lock`), then its work orders, so
that locks are always taken in the same order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casework import clock, deadlines, outbox, roles, services
from casework.models import Case
from casework.uploads import image_check
from contractors import conf
from contractors.models import (
    Contract,
    ContractModification,
    WarrantyClaim,
    WorkOrder,
)
from contractors.selectors import contractor_of, current_work_order

OPEN_STATUSES = (
    WorkOrder.Status.ISSUED,
    WorkOrder.Status.ACKNOWLEDGED,
    WorkOrder.Status.RETURNED,
)


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
        locked = services.case_lock(case)
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


# ---------------------------------------------------------------------------------------------
# The contractor's side


def work_order_acknowledge(order: WorkOrder | int, *, actor) -> WorkOrder:
    """The contractor confirms they have the order. Doing it twice changes nothing."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    with transaction.atomic():
        row = WorkOrder.objects.filter(pk=pk).only("case_id").first()
        if row is None:
            raise ValidationError({"work_order": _("No such work order.")})
        case = services.case_lock(row.case_id)
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
        services.case_note(
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
# The work order follows its case


STATUS_AFTER = {
    "report_repaired": WorkOrder.Status.REPORTED,
    "return_for_rework": WorkOrder.Status.RETURNED,
    "verify": WorkOrder.Status.ACCEPTED,
}


def work_order_follow_case(case: Case, *, event, transition: str) -> WorkOrder | None:
    """Bring the case's current work order in step with the transition the case just took
    (reported, returned, accepted), in the transaction that took it (`contractors.receivers`)."""
    status = STATUS_AFTER.get(transition)
    order = current_work_order(case) if status is not None else None
    if order is None:
        return None
    order.status = status
    fields = ["status"]
    if transition == "report_repaired":
        order.completed_at = event.created_at
        late = deadlines.working_days_between(order.due_at, event.created_at)
        order.working_days_late = late if event.created_at > order.due_at else 0
        fields += ["completed_at", "working_days_late"]
        if order.acknowledged_at is None:
            # Reporting the repair is the strongest acknowledgement there is.
            order.acknowledged_at = event.created_at
            fields.append("acknowledged_at")
    elif transition == "verify":
        order.accepted_at = event.created_at
        order.accepted_by_id = event.actor_id
        months = order.contract.warranty_months
        order.warranty_ends_at = event.created_at + relativedelta(months=months)
        fields += ["accepted_at", "accepted_by", "warranty_ends_at"]
    order.save(update_fields=fields)
    if transition == "return_for_rework":
        # The contractor hears of it in the portal's terms (a task notice would link to /staff/).
        outbox.enqueue(
            "contractor_work_order_notice",
            {"work_order": order.pk, "notice": "returned", "event": event.pk},
            dedupe_key=f"contractor_work_order_notice:returned:{event.pk}",
        )
    return order


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
            case = services.case_lock(case_id)
            order = work_orders_unacknowledged(now).select_for_update().filter(pk=order_id).first()
            if order is None:
                continue
            order.acknowledge_escalated_at = now
            order.save(update_fields=["acknowledge_escalated_at"])
            event = services.case_note(
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


# ---------------------------------------------------------------------------------------------
# Contract modifications

REASON_MAX = 4000


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"new_amount_kzt": _("Enter an amount in tenge.")}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        raise ValidationError({"new_amount_kzt": _("Enter an amount in tenge.")})
    return amount


def contract_modify(
    contract: Contract | int,
    *,
    actor,
    new_amount_kzt,
    new_ends_on: dt.date,
    modified_on: dt.date,
    reason: str,
) -> ContractModification:
    """Record a change of a signed contract's amount and/or period and apply it to the contract,
    in one transaction: the contract shows today's terms, its modifications what they were."""
    if actor is None or not actor.has_perm("contractors.add_contractmodification"):
        raise PermissionDenied(_("You may not modify contracts."))
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Say why the contract is modified.")})
    if len(text) > REASON_MAX:
        raise ValidationError(
            {"reason": _("At most %(n)d characters, please.") % {"n": REASON_MAX}}
        )
    amount = _amount(new_amount_kzt)
    if not isinstance(new_ends_on, dt.date) or not isinstance(modified_on, dt.date):
        raise ValidationError({"new_ends_on": _("Give the dates.")})
    pk = contract.pk if isinstance(contract, Contract) else contract
    with transaction.atomic():
        locked = Contract.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise ValidationError({"contract": _("No such contract.")})
        errors = {}
        if amount == locked.amount_kzt and new_ends_on == locked.ends_on:
            errors["new_amount_kzt"] = _("Neither the amount nor the period changes.")
        if new_ends_on < locked.starts_on:
            errors["new_ends_on"] = _("The contract cannot end before it starts.")
        today = clock.now().astimezone(deadlines.local_zone()).date()
        if modified_on < locked.signed_on or modified_on > today:
            errors["modified_on"] = _(
                "The modification date must be between the signing date and today."
            )
        if errors:
            raise ValidationError(errors)
        modification = ContractModification.objects.create(
            contract=locked,
            old_amount_kzt=locked.amount_kzt,
            new_amount_kzt=amount,
            old_ends_on=locked.ends_on,
            new_ends_on=new_ends_on,
            modified_on=modified_on,
            reason=text,
            recorded_by=actor,
            recorded_at=clock.now(),
        )
        locked.amount_kzt = amount
        locked.ends_on = new_ends_on
        locked._change_reason = "contract_modify"
        locked._history_user = actor
        locked.save(update_fields=["amount_kzt", "ends_on"])
        return modification
