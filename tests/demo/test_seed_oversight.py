"""The demo has posts for its people, acts for its accepted repairs, and the Taraz manholes
scenario: an act whose work failed two months later, with the inspector's name and post."""

import pytest

from casework.audit import chain_verify
from casework.models import Case
from oversight.models import (
    AcceptanceAct,
    AcceptanceActSignatory,
    AcceptedWorkFailure,
    DecisionAttribution,
    Position,
)
from oversight.selectors import post_held

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_has_posts_acts_and_the_taraz_manholes_failure():
    from demo.seed import seed

    seed(case_count=30)
    assert Case.objects.count() == 30
    taraz = Case.objects.get(title="Ямы вокруг люков на проспекте Толе би")
    act = AcceptanceAct.objects.get(case=taraz)
    assert act.contract.number == "ТРЗ-2026/047" and act.unit == "m2"
    assert act.photos.filter(kind="before").exists()
    # (A random demo complaint may fail it too; the scenario's own is the one two months on.)
    failure = AcceptedWorkFailure.objects.get(act=act, case__title="Ямы у люков снова появились")
    assert failure.kind == "warranty_claim" and failure.distance_m < 30
    inspector = act.signatories.get(role=AcceptanceActSignatory.Role.INSPECTOR)
    assert inspector.position.kind == Position.Kind.INSPECTOR
    # Taraz's inspector has since moved on: the act keeps the post held that day.
    assert post_held(inspector.person, failure.detected_at).position != inspector.position
    assert Position.objects.filter(kind=Position.Kind.REGION_AKIM).count() == 2
    assert Position.objects.filter(kind=Position.Kind.DISTRICT_AKIM).exists()
    assert Position.objects.filter(kind=Position.Kind.DEPARTMENT_HEAD).exists()
    assert AcceptanceAct.objects.count() >= 2
    assert DecisionAttribution.objects.filter(action="verify").count() == (
        AcceptanceAct.objects.count()
    )
    assert chain_verify().ok
    # Seeding again changes nothing.
    before = (AcceptanceAct.objects.count(), AcceptedWorkFailure.objects.count())
    seed(case_count=30)
    assert (AcceptanceAct.objects.count(), AcceptedWorkFailure.objects.count()) == before
