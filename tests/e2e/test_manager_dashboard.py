"""A manager opens the dashboard in a real browser (issue 18, item 8): the charts are drawn, in
Kazakh, without a CSP complaint; they fit a phone's width; a bar leads to the case list showing
exactly the cases it counts."""

import pytest

from casework import services

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def login(new_page, base: str, username: str, locale: str = "kk-KZ"):
    page = new_page(locale)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page


def test_a_manager_reads_the_dashboard_and_opens_the_counted_cases(
    live_server, new_page, screenshots, world
):
    received = [world.case(title=f"Яма {n}") for n in range(3)]
    world.case(district=world.b1, title="Басқа облыс")  # another region: not counted
    services.case_reject(received[0], actor=world.clerk, reason_code="spam", reason="Жарнама.")

    page = login(new_page, live_server.url, "manager")
    complaints = []
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/staff/")
    page.click("nav.staff-menu a[href='/staff/dashboard/']")
    page.wait_for_url("**/staff/dashboard/")
    # Five charts drawn; no contractor was late yet, and the sixth says so.
    assert page.locator("svg.bar-chart").count() == 5
    assert page.locator("#chart-contractors .empty").is_visible()
    assert page.locator("h1").inner_text() == "Шолу"
    # Each chart is a group named by its title, each bar a link named by its month and value
    # (a group, not an image: an image's links would be hidden from a screen reader).
    title = page.locator("#chart-received svg title").first.text_content()
    assert title and page.get_by_role("group", name=title).count() == 1
    assert page.locator("#chart-received svg").get_by_role("link").count() == 13
    screenshots(page, "dashboard")

    # The newest month comes first; its bar carries the count and links to the list.
    bar = page.locator("#chart-received a.bar-link").first
    assert bar.get_attribute("data-value") == "3"
    bar.click()
    page.wait_for_url("**/staff/cases/**received=**")
    assert page.locator("#case-total").inner_text().startswith("3")
    assert page.locator("#drill-filters").is_visible()
    assert page.locator("table.cases tbody tr[data-case]").count() == 3

    page.go_back()
    page.locator("#chart-closed a.bar-link").first.click()
    page.wait_for_url("**closed=**")
    assert page.locator("table.cases tbody tr[data-case]").count() == 1
    assert complaints == [], complaints

    # On a phone the charts scale to the screen instead of overflowing it.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/staff/dashboard/")
    widths = page.locator("svg.bar-chart").evaluate_all(
        "svgs => svgs.map(s => s.getBoundingClientRect().right)"
    )
    assert max(widths) <= 375
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    screenshots(page, "dashboard-phone")
    assert overflow <= 375
