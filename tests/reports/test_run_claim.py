"""A report whose worker died mid-run is finished by the same task delivered again, once."""

import datetime as dt

import pytest

from reports import services
from reports.models import ReportRun
from tests.reports.month_data import seed_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(world):
    seed_month(world)
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.MONTHLY,
        month=dt.date(2025, 3, 1),
        region=world.region_a,
        requested_by=world.manager,
    )
    # The first delivery of task "task-1" took the run, then its worker was killed.
    assert services._claim(run.pk, "task-1") is not None
    return run


def test_the_same_task_delivered_again_takes_its_run_back_and_finishes_it(running):
    done = services.report_run_execute(running.pk, claim="task-1")
    assert done.status == ReportRun.Status.DONE and done.file


def test_another_task_does_not_take_a_running_run(running):
    assert services.report_run_execute(running.pk, claim="task-2") is None
    assert services.report_run_execute(running.pk) is None
    running.refresh_from_db()
    assert running.status == ReportRun.Status.RUNNING


def test_a_finished_run_is_not_made_again_by_a_late_delivery(running):
    first = services.report_run_execute(running.pk, claim="task-1")
    assert first.status == ReportRun.Status.DONE
    assert services.report_run_execute(running.pk, claim="task-1") is None
    assert ReportRun.objects.get(pk=running.pk).file_sha256 == first.file_sha256


def test_the_task_passes_its_own_id_as_the_claim(world, django_capture_on_commit_callbacks):
    from reports.tasks import report_run_task

    seed_month(world)
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.MONTHLY, month=dt.date(2025, 3, 1), region=world.region_a
    )
    report_run_task.apply(args=[run.pk], task_id="the-task-id")
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.claimed_by == "the-task-id"
