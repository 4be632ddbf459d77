"""The demo's histories are passed through the red-flag indicators, so a new investigator finds
the queue full; Taraz's failed act is among its hits with the contract's money."""

import pytest

from casework.models import Case
from oversight.models import AcceptanceAct, RedFlagHit
from oversight.red_flags.run import red_flags_check

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Hits of each indicator the default demo must hold: a few dozen (see test below).
MINIMUM = 20


def test_the_demo_has_red_flags_and_they_match_a_full_pass():
    from demo.seed import seed

    made = seed(case_count=30)
    assert made["red_flags"] == RedFlagHit.objects.count() > 0
    taraz = Case.objects.get(title="Ямы вокруг люков на проспекте Толе би")
    act = AcceptanceAct.objects.get(case=taraz)
    failed = RedFlagHit.objects.get(key=f"accepted_work_failed:act:{act.pk}")
    assert failed.money_kzt == act.amount_kzt and failed.person is not None
    indicators = set(RedFlagHit.objects.values_list("indicator", flat=True))
    assert {"accepted_work_failed", "photo_evidence"} <= indicators
    assert red_flags_check() == []


def test_the_default_demo_has_a_few_dozen_hits_of_every_indicator():
    """What `make run` seeds (300 cases): an investigator finds every indicator at work. The
    histories are made through the services and found by the nightly pass, not inserted."""
    from collections import Counter

    from demo.seed import seed
    from oversight.red_flags.registry import INDICATORS

    made = seed()
    assert made["cases"] == Case.objects.count() == 300
    found = Counter(
        RedFlagHit.objects.filter(status=RedFlagHit.Status.OPEN).values_list("indicator", flat=True)
    )
    assert {code: found[code] for code in INDICATORS} == {
        code: max(found[code], MINIMUM) for code in INDICATORS
    }
