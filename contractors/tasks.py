from celery import shared_task

from contractors.services import work_orders_escalate_unacknowledged


@shared_task(name="contractors.tasks.escalate_unacknowledged", ignore_result=True)
def escalate_unacknowledged() -> int:
    return work_orders_escalate_unacknowledged()
