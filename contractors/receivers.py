"""Keep work orders in step with their case's lifecycle, and link warranty claims on opening."""

from dateutil.relativedelta import relativedelta
from django.dispatch import receiver

from casework import deadlines
from casework.signals import case_changed
from contractors.models import WorkOrder

_STATUS_AFTER = {
    "report_repaired": WorkOrder.Status.REPORTED,
    "return_for_rework": WorkOrder.Status.RETURNED,
    "verify": WorkOrder.Status.ACCEPTED,
}


@receiver(case_changed, dispatch_uid="contractors.work_order_follow_case")
def work_order_follow_case(sender, case, event, transition, **kwargs) -> None:
    status = _STATUS_AFTER.get(transition)
    if status is None:
        return
    from contractors.services import current_work_order

    order = current_work_order(case)
    if order is None:
        return
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


@receiver(case_changed, dispatch_uid="contractors.warranty_claim_on_open")
def warranty_claim_on_open(sender, case, event, transition, **kwargs) -> None:
    if transition != "open":
        return
    from contractors.warranty import warranty_claim_link

    warranty_claim_link(case, opened_at=event.created_at)
