from celery import shared_task

from reports import services


@shared_task(name="reports.tasks.report_run", ignore_result=True, bind=True)
def report_run_task(self, run_id: int) -> str:
    run = services.report_run_execute(run_id, claim=self.request.id or "")
    return run.status if run is not None else "not-queued"


@shared_task(name="reports.tasks.monthly_schedule", ignore_result=True)
def monthly_schedule_task() -> int:
    return len(services.monthly_schedule())


@shared_task(name="reports.tasks.runs_resume", ignore_result=True)
def report_runs_resume_task() -> int:
    return services.report_runs_resume()
