import datetime as dt

import pytest
from celery.schedules import crontab

from casework.models import CaseEvent
from config.celery import app


def test_beat_runs_the_sweep_every_minute_and_the_digest_every_morning():
    schedule = app.conf.beat_schedule
    assert schedule["deadline-sweep"]["task"] == "workflows.tasks.sweep_deadlines"
    assert schedule["deadline-sweep"]["schedule"] == 60.0
    digest = schedule["overdue-digest"]
    assert digest["task"] == "workflows.tasks.overdue_digest"
    assert isinstance(digest["schedule"], crontab)
    assert digest["schedule"].hour == {8} and digest["schedule"].minute == {30}
    assert "workflows.tasks.sweep_deadlines" in app.tasks
    assert "workflows.tasks.overdue_digest" in app.tasks


@pytest.mark.django_db
def test_the_beat_task_sweeps(world):
    from workflows.tasks import sweep_deadlines

    case = world.case(received_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC))
    assert sweep_deadlines.apply().get() == 3
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 3
    assert sweep_deadlines.apply().get() == 0
