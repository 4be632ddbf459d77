import pytest
from viewflow.workflow import STATUS

from casework.audit import chain_verify
from casework.models import Case, CaseEvent
from workflows.consistency import flow_problems
from workflows.queues import case_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_cases_get_processes_in_step_with_them():
    from demo.seed import seed

    seed(case_count=30)
    assert Case.objects.count() == 30
    assert flow_problems() == []
    open_tasks = case_tasks().filter(status__in=[STATUS.NEW, STATUS.ASSIGNED])
    assert open_tasks.filter(status=STATUS.ASSIGNED).exists()  # some were taken by demo users
    assert open_tasks.count() == Case.objects.open().count()
    assert CaseEvent.objects.filter(action="escalate").exists()  # overdue demo cases escalated
    assert chain_verify().ok
