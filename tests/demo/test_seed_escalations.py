"""Demo escalations happen when their deadlines passed, not when the demo was seeded: past months
show them."""

import datetime as dt

import pytest
from django.utils import timezone

from casework.models import CaseEvent, Escalation
from demo.seed import seed

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_escalations_carry_the_moment_their_deadline_passed():
    started = timezone.now()
    seed(case_count=40)
    fired = Escalation.objects.exclude(fired_at=None).select_related("event")
    assert fired.exists()
    for row in fired:
        assert row.fired_at == row.fire_at == row.event.created_at
    escalations = CaseEvent.objects.filter(action="escalate")
    assert escalations.filter(created_at__lt=started - dt.timedelta(days=1)).exists()
