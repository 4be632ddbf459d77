"""Wilson intervals, the Bayesian average and ranks against values worked out by hand."""

from __future__ import annotations

import pytest

from ratings.formula import COMPONENTS, bayesian_average, rank_driver, ranks, wilson


def test_wilson_matches_known_values():
    # 8 of 10 at z = 1.96: (0.4902, 0.9433) (e.g. Wilson 1927; R's prop.test without correction).
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)
    # 0 of 20: the lower bound is 0, the upper 0.1611.
    low, high = wilson(0, 20)
    assert low == 0.0
    assert high == pytest.approx(0.1611, abs=1e-4)
    # 50 of 100: symmetric about one half, (0.4038, 0.5962).
    low, high = wilson(50, 100)
    assert (low, high) == (pytest.approx(0.4038, abs=1e-4), pytest.approx(0.5962, abs=1e-4))


def test_wilson_has_no_interval_without_cases_and_refuses_impossible_counts():
    assert wilson(0, 0) is None
    with pytest.raises(ValueError):
        wilson(11, 10)


def test_bayesian_average_pulls_few_votes_toward_the_peers_mean():
    # One 5 among peers averaging 3, prior weight 10: (5 + 30) / 11.
    assert bayesian_average(5, 1, 3.0, 10) == pytest.approx(35 / 11)
    # A hundred votes averaging 4.5 barely move: (450 + 30) / 110.
    assert bayesian_average(450, 100, 3.0, 10) == pytest.approx(480 / 110)
    # No votes: the peers' mean itself.
    assert bayesian_average(0, 0, 3.7, 10) == pytest.approx(3.7)


def test_ranks_share_places_on_ties_and_skip_the_unranked():
    assert ranks([0.7, None, 0.9, 0.7, 0.1]) == [2, None, 1, 2, 4]


def test_the_weights_add_up_to_one_and_the_driver_is_the_largest_change():
    assert sum(c.weight for c in COMPONENTS) == pytest.approx(1.0)
    now = {"on_time": 0.20, "overdue": 0.10, "result_score": 0.05}
    before = {"on_time": 0.25, "overdue": 0.02, "result_score": 0.06}
    assert rank_driver(now, before) == "overdue"
