"""Writes for contractors' data. Case changes go through `casework.services`."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casework import clock, deadlines, services
from casework.models import Case
from contractors.models import Contract, WorkOrder


def work_order_issue(
    case: Case | int,
    *,
    actor,
    contract: Contract | int,
    due_at: dt.datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> WorkOrder:
    """Issue a work order under a contract; the case moves to `contractor_notified`."""
    with transaction.atomic():
        pk = case.pk if isinstance(case, Case) else case
        locked = Case.objects.select_for_update().select_related("category").get(pk=pk)
        services.check_version(locked, version)
        services.transition_authorise("notify_contractor", locked, actor)
        if not isinstance(contract, Contract):
            contract = Contract.objects.filter(pk=contract).first()
            if contract is None:
                raise ValidationError({"contract": _("No such contract.")})
        now = clock.now()
        today = now.astimezone(deadlines.local_zone()).date()
        problems = []
        if contract.department_id != locked.department_id:
            problems.append(_("The contract is held by another department."))
        if not contract.districts.filter(pk=locked.district_id).exists():
            problems.append(_("The contract does not cover this district."))
        if not contract.categories.filter(pk=locked.category_id).exists():
            problems.append(_("The contract does not cover this kind of work."))
        if not (contract.starts_on <= today <= contract.ends_on):
            problems.append(_("The contract is not in force today."))
        if problems:
            raise ValidationError({"contract": problems})
        if due_at is None:
            due_at = deadlines.add_working_days(now, locked.category.sla_repair_days)
        elif due_at <= now:
            raise ValidationError({"due_at": _("The due date must be in the future.")})
        for earlier in WorkOrder.objects.filter(case=locked).exclude(
            status__in=[WorkOrder.Status.ACCEPTED, WorkOrder.Status.SUPERSEDED]
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
            note=(note or "").strip(),
        )
        services.case_notify_contractor(locked, actor=actor, work_order=order, version=version)
        return order


def current_work_order(case: Case) -> WorkOrder | None:
    return (
        WorkOrder.objects.filter(case=case)
        .exclude(status=WorkOrder.Status.SUPERSEDED)
        .order_by("-issued_at", "-id")
        .first()
    )


def work_order_report_repair(
    case: Case | int,
    *,
    actor,
    before,
    after,
    note: str = "",
    version: int | None = None,
) -> Case:
    """The contractor reports the repair on their current work order, with before/after photos.

    Every way in (API, staff task, contractor portal) calls this, so evidence checks live here."""
    return services.case_report_repaired(
        case, actor=actor, before=before, after=after, note=note, version=version
    )
