"""In a real browser: a manager records on the staff page that a milestone was met late, and the
public page shows it late, in red; a citizen on a phone filters the projects by next year and opens
one. The public pages are clean under axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from projects.models import Project
from projects.services import milestone_record
from tests.e2e.axe import axe_available, axe_describe, axe_run
from tests.projects.helpers import days_ago, make_project

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _clean(page, where: str) -> None:
    violations = axe_run(page)
    assert not violations, "\n".join(axe_describe(where, violations))


def test_a_manager_records_a_milestone_met_late_and_the_public_page_shows_it(
    live_server, new_page, screenshots, world
):
    axe_available()
    project = make_project(world, contracts=[world.contract])
    milestone = milestone_record(
        project,
        actor=world.manager,
        data={
            "name_kk": "Асфальт төсеу",
            "name_ru": "Укладка асфальта",
            "planned_start": days_ago(30),
            "planned_end": days_ago(12),
            "actual_start": days_ago(30),
        },
    )
    page = new_page("ru-RU")
    page.goto(f"{live_server.url}/accounts/login/?next=/staff/projects/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "pw-manager")
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/projects/")
    page.get_by_role("link", name=project.code).click()
    page.wait_for_url(f"**/staff/projects/{project.code}/")
    page.locator(f"a[href$='/milestones/{milestone.pk}/']").click()
    page.wait_for_url(f"**/milestones/{milestone.pk}/")
    page.fill("#id_m-actual_end", days_ago(2).isoformat())
    page.select_option("#id_m-status", "met")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/staff/projects/{project.code}/")
    screenshots(page, "staff-edit")

    public = new_page("en-US")
    public.goto(f"{live_server.url}/projects/{project.code}/")
    row = public.locator(f"tr[data-milestone='{milestone.pk}']")
    assert "late" in (row.get_attribute("class") or "")
    assert row.locator(".days-late").inner_text() == "10 days late"
    colour = row.locator(".days-late").evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(179, 38, 30)"
    screenshots(public, "public-late")
    _clean(public, "project page")


def test_a_citizen_finds_a_project_planned_for_next_year_and_opens_it(
    live_server, new_page, screenshots, world
):
    axe_available()
    next_year = timezone.localdate().year + 1
    planned = make_project(
        world,
        code="yard-next-year",
        title_ru="Двор на следующий год",
        planned_year=next_year,
        status=Project.Status.PREPARATION,
    )
    make_project(world, code="yard-this-year", title_ru="Двор в этом году")
    page = new_page("ru-RU")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/projects/")
    page.locator("#projects-map[data-loaded='2']").wait_for(state="attached")
    _clean(page, "projects list")
    page.fill("#id_year", str(next_year))
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(f"**/projects/?*year={next_year}*")
    page.locator("#projects-map[data-loaded='1']").wait_for(state="attached")
    assert page.get_by_role("link", name="Двор в этом году").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshots(page, "list-next-year-phone")
    page.get_by_role("link", name="Двор на следующий год").click()
    page.wait_for_url(f"**/projects/{planned.code}/")
    assert page.locator("h1").inner_text() == "Двор на следующий год"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshots(page, "project-phone")
    _clean(page, "project page on a phone")
