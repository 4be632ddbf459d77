"""The monthly report's ratings section: reports asks through its hook (filled by ratings'
AppConfig.ready) without importing ratings, and gets the month's figures of its scope only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ratings.figures import figures_refresh
from reports.extra_sections import ratings_rows
from reports.periods import Scope, period_for
from tests.ratings.conftest import RatingsWorld

pytestmark = pytest.mark.django_db


def test_the_report_gets_the_months_figures_of_its_region_only(rw: RatingsWorld, settings):
    settings.RATINGS_MIN_CASES = 2
    figures_refresh(rw.month_first.year)
    period = period_for(rw.month_first)
    region_a = {
        row["name"]: row for row in ratings_rows(Scope(region=rw.region_a_post.region), period)
    }
    assert set(region_a) == {p.full_name for p in (rw.ahmet, rw.bolat, rw.dana, rw.erzhan)}
    assert region_a[rw.erzhan.full_name]["rank"] == 1
    region_b = ratings_rows(Scope(region=rw.region_b_post.region), period)
    assert [row["name"] for row in region_b] == [rw.farida.full_name]
    assert region_b[0]["score"] is None  # one case: not enough data


def test_reports_never_import_ratings():
    for path in Path("reports").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("ratings"), path
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("ratings") for a in node.names), path
