"""Celery tasks of the workflow; beat runs them on the schedule set in WorkflowsConfig.ready()."""

from celery import shared_task


@shared_task(name="workflows.tasks.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> int:
    from casework.sweep import sweep_run

    return sweep_run().fired


@shared_task(name="workflows.tasks.overdue_digest", ignore_result=True)
def overdue_digest() -> int:
    from workflows.notifications import digest_queue

    return digest_queue()
