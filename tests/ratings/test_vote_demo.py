"""The demo's citizens have voted on most closed cases, through the real service: the votes are
chained, and some count."""

import datetime as dt

import pytest

from ratings.models import Vote
from ratings.vote_chain import votes_verify
from ratings.vote_selectors import counted_votes

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_has_chained_votes_that_count():
    from demo.seed import seed

    made = seed(case_count=40)
    assert made["votes"] == Vote.objects.count() > 0
    assert votes_verify().ok
    ever = (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    assert list(counted_votes(*ever))
