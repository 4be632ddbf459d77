from celery import shared_task

from casework import outbox


@shared_task(name="casework.tasks.outbox_run", ignore_result=True)
def outbox_run(job_id: int) -> str:
    return outbox.job_run(job_id)


@shared_task(name="casework.tasks.outbox_run_many", ignore_result=True)
def outbox_run_many(job_ids: list[int]) -> int:
    """Run several jobs, each in its own transaction; a job already done is skipped."""
    return sum(outbox.job_run(job_id) == "done" for job_id in job_ids)


@shared_task(name="casework.tasks.outbox_relay", ignore_result=True)
def outbox_relay() -> int:
    return outbox.relay()
