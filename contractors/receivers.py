"""Keep work orders in step with their case's lifecycle."""

from django.dispatch import receiver

from casework.signals import case_changed
from contractors.models import WorkOrder

_STATUS_AFTER = {
    "report_repaired": WorkOrder.Status.REPORTED,
    "return_for_rework": WorkOrder.Status.RETURNED,
    "verify": WorkOrder.Status.ACCEPTED,
}


@receiver(case_changed)
def work_order_follow_case(sender, case, event, transition, **kwargs) -> None:
    status = _STATUS_AFTER.get(transition)
    if status is None:
        return
    from contractors.services import current_work_order

    order = current_work_order(case)
    if order is None:
        return
    order.status = status
    if transition == "report_repaired":
        order.completed_at = event.created_at
    order.save(update_fields=["status", "completed_at"])
