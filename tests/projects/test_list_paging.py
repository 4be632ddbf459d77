"""The public list pages through a filter (here one contractor's projects) with its total
counted only up to a cap: the exact number under it, "more than N" past it, in kk/ru/en."""

import re

import pytest

from projects import selectors
from tests.projects.helpers import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 2)
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 3)


def contractor_projects(world, n: int) -> set[str]:
    codes = {f"contracted-{i}" for i in range(n)}
    for code in codes:
        make_project(world, code=code, contracts=[world.contract])
    make_project(world, code="someone-elses", contracts=[world.other_contract])
    return codes


def listed(client, world, language: str, page: int = 1) -> tuple[str, list[str], str]:
    response = client.get(
        "/projects/",
        {"contractor": world.contractor.pk, "page": page},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    html = response.content.decode()
    heading = re.search(r'<h2 id="projects-found">(.*?)</h2>', html).group(1)
    codes = re.findall(r'<li class="project-item">\s*<a href="/projects/([\w-]+)/"', html)
    pager = re.search(r'<nav class="pager".*?</nav>', html, re.S)
    return heading, codes, pager.group(0) if pager else ""


@pytest.mark.parametrize(
    "language, heading, last_page",
    [
        ("en", "More than 3 projects", "Page 3<"),
        ("kk", "3 жобадан астам", "3-бет<"),
        ("ru", "Более 3 проектов", "Страница 3<"),
    ],
)
def test_a_list_past_the_cap_says_more_than_n_and_still_pages_to_its_end(
    client, world, small_pages, language, heading, last_page
):
    codes = contractor_projects(world, 5)
    seen = []
    for number in (1, 2, 3):
        shown, page_codes, pager = listed(client, world, language, number)
        assert shown == heading
        seen += page_codes
        assert (f"page={number + 1}" in pager) == (number < 3)
    assert last_page in pager
    assert sorted(seen) == sorted(codes)
    # A page past the end shows the last one.
    assert listed(client, world, language, 9)[1] == page_codes


@pytest.mark.parametrize(
    "language, heading, pages",
    [
        ("en", "3 projects", "Page 1 of 2"),
        ("kk", "3 жоба", "2 беттің 1-беті"),
        ("ru", "3 проекта", "Страница 1 из 2"),
    ],
)
def test_a_list_up_to_the_cap_shows_its_exact_total(
    client, world, small_pages, language, heading, pages
):
    codes = contractor_projects(world, 3)
    shown, first, pager = listed(client, world, language)
    assert shown == heading
    assert pages in pager and "page=2" in pager
    assert sorted(first + listed(client, world, language, 2)[1]) == sorted(codes)
