"""The ratings' pages in a real browser: axe-core finds no WCAG 2.1 A/AA violation on the public
list, a person's page, the method and a refused filter (kk, ru, en; desktop and phone), nor on
the staff list, a person's staff page and the drill-down to the cases behind a figure; the
phone's page does not scroll sideways (the wide table scrolls in its box)."""

from __future__ import annotations

import pytest

from ratings.figures import figures_refresh
from ratings.periods import period_of
from tests.e2e.test_accessibility import LOCALES, Audit, _log_in
from tests.ratings.conftest import build

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rated(world, settings):
    settings.RATINGS_MIN_CASES = 2
    rw = build(world)
    figures_refresh(rw.month_first.year)
    return rw


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_public_ratings_pages_have_no_wcag_violations(live_server, new_page, rated, language):
    from tests.e2e.axe import axe_available

    axe_available()
    page = new_page(LOCALES[language])
    audit = Audit(page, live_server.url)
    month = rated.month_first.strftime("%Y-%m")
    audit.visit(f"/ratings/?kind=month&period={month}")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    audit.visit(f"/ratings/people/{rated.bolat.pk}/")
    audit.visit("/ratings/method/")
    audit.visit("/ratings/?kind=month&period=2026-13", status=400)
    audit.assert_clean()


def test_staff_ratings_page_has_no_wcag_violations(live_server, new_page, rated):
    from tests.e2e.axe import axe_available

    axe_available()
    page = new_page(LOCALES["ru"])
    _log_in(page, live_server.url, "manager")
    audit = Audit(page, live_server.url)
    audit.visit(f"/staff/ratings/?kind=month&period={rated.month_first.strftime('%Y-%m')}")
    audit.visit(f"/staff/ratings/people/{rated.ahmet.pk}/")
    quarter = period_of("quarter", rated.month_first).code
    audit.visit(f"/staff/ratings/posts/{rated.head_post.pk}/{quarter}/?measure=on_time")
    audit.assert_clean()
