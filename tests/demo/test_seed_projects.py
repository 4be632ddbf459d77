"""The demo has about forty projects in both regions: some planned for next year, some with late
milestones, some with complaints linked."""

import pytest
from django.utils import timezone

from projects.models import Milestone, Project, ProjectCase

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_has_projects_planned_late_and_linked():
    from demo.seed import seed

    made = seed(case_count=40)
    assert made["projects"] == 40
    regions = set(Project.objects.values_list("region__code", flat=True))
    assert regions == {"AQT", "ZHA"}
    assert Project.objects.filter(planned_year=timezone.localdate().year + 1).count() >= 5
    late = [m for m in Milestone.objects.all() if m.days_late() > 0]
    assert late
    assert ProjectCase.objects.exists()
    assert seed(case_count=40).get("projects", 0) == 0
