"""The staff drill-down from every figure of every period kind to the cases behind it: the
cases listed are exactly the ones the figure counts, a post that changed hands splits its cases
between the two holders, and only the staff who may see the post's region get the page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from casework.deadlines import local_zone
from casework.models import CaseEvent
from ratings.drill import FIGURE_COUNT, MEASURES, post_case_rows, tallies
from ratings.figures import figures_refresh
from ratings.models import RatingFigure
from ratings.periods import Period, period_of
from tests.ratings.conftest import RatingsWorld
from tests.ratings.test_pages import assert_no_complainant

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(rw: RatingsWorld, settings) -> RatingsWorld:
    settings.RATINGS_MIN_CASES = 2
    figures_refresh(rw.month_first.year)
    return rw


def listed(client: Client, rw: RatingsWorld, period: Period, **query) -> set[str]:
    response = client.get(f"/staff/ratings/posts/{rw.head_post.pk}/{period.code}/", query)
    assert response.status_code == 200
    return set(re.findall(r'data-case="([^"]+)"', response.content.decode()))


def department_closings(rw: RatingsWorld, period: Period) -> dict[int, set[str]]:
    """The head of department's closings in the period by holder, straight from the events:
    Ahmet's before the hand-over day, Bolat's from it."""
    out: dict[int, set[str]] = {rw.ahmet.pk: set(), rw.bolat.pk: set()}
    for event in CaseEvent.objects.filter(
        action__in=["verify", "reject"],
        case__department=rw.head_post.department,
        case__category__public=True,
    ).select_related("case"):
        day = event.created_at.astimezone(local_zone()).date()
        if period.first <= day <= period.last:
            holder = rw.ahmet if day < rw.handover else rw.bolat
            out[holder.pk].add(event.case.tracking_code)
    return out


def test_every_figure_of_every_kind_drills_to_exactly_the_cases_it_counts(rated: RatingsWorld):
    figures = list(RatingFigure.objects.select_related("position"))
    assert {f.period_kind for f in figures} == {"month", "quarter", "year"}
    seen: set[str] = set()
    for figure in figures:
        period = period_of(figure.period_kind, figure.period_start)
        per_person, _post = tallies(post_case_rows(figure.position, period))
        tally = per_person.get(figure.person_id)
        assert tally is not None or not figure.closed, figure
        if tally is None:
            continue
        for measure in MEASURES:
            field = FIGURE_COUNT[measure]
            if field is not None:
                assert tally.counts[measure] == getattr(figure, field), (figure, measure)
                if tally.counts[measure]:
                    seen.add(f"{figure.period_kind}:{measure}")
        assert tally.median_days == figure.median_days, figure
        assert (tally.result_total, tally.answer_total) == (
            figure.result_total,
            figure.answer_total,
        ), figure
    # Not vacuous: the quarter's and the year's lists hold cases of every counted measure.
    for kind in ("quarter", "year"):
        for field in ("closed", "on_time", "verified", "reopened", "failed", "warranty", "repeat"):
            assert f"{kind}:{field}" in seen
        assert f"{kind}:result" in seen and f"{kind}:answer" in seen
    assert "quarter:open_end" in seen and "quarter:overdue_end" in seen


def test_quarter_and_year_pages_split_the_post_between_its_two_holders(rated: RatingsWorld, world):
    manager = Client()
    manager.force_login(world.manager)
    for kind in ("quarter", "year"):
        period = period_of(kind, rated.month_first)
        expected = department_closings(rated, period)
        assert expected[rated.ahmet.pk] and expected[rated.bolat.pk]
        ahmet = listed(manager, rated, period, measure="closed", person=rated.ahmet.pk)
        bolat = listed(manager, rated, period, measure="closed", person=rated.bolat.pk)
        post = listed(manager, rated, period, measure="closed")
        assert ahmet == expected[rated.ahmet.pk], kind
        assert bolat == expected[rated.bolat.pk], kind
        assert not ahmet & bolat and post == ahmet | bolat
        # The summary gives each holder's count and the post's, which is their sum.
        response = manager.get(f"/staff/ratings/posts/{rated.head_post.pk}/{period.code}/")
        closed = next(row for row in response.context["matrix"] if row["code"] == "closed")
        assert [cell["count"] for cell in closed["cells"]] == [len(ahmet), len(bolat), len(post)]
        assert [h.pk for h in response.context["holders"]] == [rated.ahmet.pk, rated.bolat.pk]
        assert_no_complainant(response.content.decode())
        # Each figure is its own holder's: the vote on Ahmet's closing, Bolat's reopened case.
        votes = listed(manager, rated, period, measure="result", person=rated.ahmet.pk)
        assert votes == {rated.cases["on_time"].tracking_code}
        assert not listed(manager, rated, period, measure="reopened", person=rated.ahmet.pk)
        reopened = listed(manager, rated, period, measure="reopened", person=rated.bolat.pk)
        assert reopened == {rated.cases["reopened"].tracking_code}
    # The cases open at the quarter's end are its last day's holder's.
    quarter = period_of("quarter", rated.month_first)
    overdue = rated.cases["overdue"].tracking_code
    assert overdue in listed(manager, rated, quarter, measure="overdue_end", person=rated.bolat.pk)
    assert not listed(manager, rated, quarter, measure="open_end", person=rated.ahmet.pk)


def test_the_staff_list_links_every_period_kinds_figures_of_the_viewers_region(
    rated: RatingsWorld, world
):
    manager = Client()
    manager.force_login(world.manager)
    quarter = period_of("quarter", rated.month_first)
    body = manager.get("/staff/ratings/", {"kind": "quarter", "period": quarter.code})
    body = body.content.decode()
    head = f"/staff/ratings/posts/{rated.head_post.pk}/{quarter.code}/"
    assert f"{head}?measure=closed&amp;person={rated.bolat.pk}" in body
    assert f"{head}?measure=on_time&amp;person={rated.ahmet.pk}" in body
    assert f"/staff/ratings/posts/{rated.region_b_post.pk}/" not in body  # not the viewer's region
    page = manager.get(f"/staff/ratings/people/{rated.ahmet.pk}/").content.decode()
    year = period_of("year", rated.month_first)
    assert f"{year.code}/?measure=closed&amp;person={rated.ahmet.pk}" in page


def test_access_and_bad_input(rated: RatingsWorld, world):
    url = f"/staff/ratings/posts/{rated.head_post.pk}/{period_of('year', rated.month_first).code}/"
    response = Client().get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    for user in (world.clerk, world.manager_b):  # no ratings pages; another region's manager
        other = Client()
        other.force_login(user)
        assert other.get(url).status_code == 404
    investigator = Client()
    investigator.force_login(world.investigator)
    assert investigator.get(url).status_code == 200
    bad = investigator.get(f"/staff/ratings/posts/{rated.head_post.pk}/2026-13/")
    assert bad.status_code == 400 and "2026-Q3" in bad.content.decode()
    assert investigator.get(url, {"measure": "bribes"}).status_code == 400
    not_holder = investigator.get(url, {"person": rated.dana.pk})
    assert not_holder.status_code == 400
    assert not_holder.context["form"].errors["person"]
    assert investigator.get("/staff/ratings/posts/999999/2026/").status_code == 404
