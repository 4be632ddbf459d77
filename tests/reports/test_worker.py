"""Monthly reports asked for on the staff site, and the ones beat schedules, made by a real Celery
worker on Redis against PostgreSQL: the way they run in production, where the report's read-only
snapshot once made every run fail ("cannot execute UPDATE in a read-only transaction")."""

import pytest

from reports.models import ReportRun
from tests.reports.month_data import seed_month
from tests.reports.pdftools import pdf_text
from tests.workflows.test_worker import celery_on, wait_for, worker

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]


def _finished(run_id: int) -> bool:
    return ReportRun.objects.get(pk=run_id).finished


@pytest.mark.django_db(transaction=True)
def test_a_worker_makes_the_report_a_manager_asks_for(requires_postgres, redis_url, client, world):
    seed_month(world)
    client.force_login(world.manager)
    with celery_on(redis_url), worker():
        response = client.post(
            "/reports/monthly/",
            {"month": "2025-03", "region": world.region_a.pk, "language": "kk"},
        )
        assert response.status_code == 302
        run = ReportRun.objects.get()
        wait_for(lambda: _finished(run.pk), timeout=120, what="the report run")
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.error == "" and run.progress == 100
    with run.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    assert run.data_sha256 in pdf_text(content).replace("\n", "")
    download = client.get(f"/reports/runs/{run.pk}/download/")
    assert download.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_worker_makes_the_reports_beat_schedules(requires_postgres, redis_url, world):
    from reports.tasks import monthly_schedule_task

    with celery_on(redis_url), worker():
        monthly_schedule_task.delay()  # what beat sends on the 1st of the month
        wait_for(lambda: ReportRun.objects.exists(), timeout=60, what="the scheduled runs")
        wait_for(
            lambda: all(run.finished for run in ReportRun.objects.all()),
            timeout=180,
            what="every scheduled run",
        )
    runs = list(ReportRun.objects.all())
    assert len(runs) >= 3  # each region, and each district of it
    assert {run.status for run in runs} == {ReportRun.Status.DONE}, [r.error for r in runs]
