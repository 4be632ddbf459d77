from celery import shared_task

from casework import outbox


@shared_task(name="casework.tasks.outbox_run", ignore_result=True)
def outbox_run(job_id: int) -> str:
    return outbox.job_run(job_id)


@shared_task(name="casework.tasks.outbox_relay", ignore_result=True)
def outbox_relay() -> int:
    return outbox.relay()
