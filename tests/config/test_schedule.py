import ast
import datetime as dt
from pathlib import Path

import pytest
from celery.schedules import crontab

from casework.models import CaseEvent
from config.celery import app

ROOT = Path(__file__).resolve().parents[2]
APPS = ("casework", "contractors", "oversight", "workflows", "intake", "reports", "demo")


def test_every_beat_entry_names_a_registered_task():
    schedule = app.conf.beat_schedule
    assert {
        "outbox-relay",
        "beat-heartbeat",
        "deadline-sweep",
        "contractors-escalate-unacknowledged",
        "overdue-digest",
        "reports-monthly",
        "reports-resume",
    } <= set(schedule)
    app.loader.import_default_modules()  # what a worker and beat import when they start
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, name


def test_beat_runs_the_sweep_every_minute_and_the_digest_every_morning():
    schedule = app.conf.beat_schedule
    assert schedule["deadline-sweep"] == {
        "task": "casework.tasks.sweep_deadlines",
        "schedule": 60.0,
    }
    digest = schedule["overdue-digest"]
    assert digest["task"] == "workflows.tasks.overdue_digest"
    assert isinstance(digest["schedule"], crontab)
    assert digest["schedule"].hour == {8} and digest["schedule"].minute == {30}


def test_no_app_imports_config():
    offenders = []
    for app_name in APPS:
        for path in (ROOT / app_name).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module or ""]
                if any(n == "config" or n.startswith("config.") for n in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


@pytest.mark.django_db
def test_the_beat_task_sweeps(world):
    from casework.tasks import sweep_deadlines

    case = world.case(received_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC))
    # Not inside a task: read the eager result without celery's "joining would block" check.
    # That flag is process-wide, and an eager task running meanwhile on another thread (the
    # outbox's publishing thread, left by an earlier test in this process) sets it.
    assert sweep_deadlines.apply().get(disable_sync_subtasks=False) == 3
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 3
    assert sweep_deadlines.apply().get(disable_sync_subtasks=False) == 0
