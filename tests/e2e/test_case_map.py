"""The staff map of cases in a real browser (issue 18 item 6): a clerk opens the map from the case
list, sees a cluster with its count, clicks it to zoom in, sees the cases as pins and in the list
beside the map, clicks a pin and lands on the case page. No tiles (nothing outside the test
server is reachable) and no Content-Security-Policy violation."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def login(new_page, base: str, username: str):
    page = new_page("ru-RU")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page, violations


def loaded_zoom(page) -> int:
    return int(page.get_attribute("#staff-map", "data-loaded")[1:])


def test_a_clerk_opens_a_cluster_then_a_case_from_the_map(
    live_server, new_page, screenshots, world
):
    # Four complaints within a few dozen metres of each other, two others across the city.
    close = [
        world.case(title=f"Яма {n}", latitude=f"{50.2800 + n * 0.0003:.6f}", longitude="57.160000")
        for n in range(4)
    ]
    world.case(title="Люк", latitude="50.300000", longitude="57.200000")
    world.case(title="Бордюр", latitude="50.260000", longitude="57.120000")
    base = live_server.url

    page, violations = login(new_page, base, "clerk")
    page.goto(f"{base}/staff/cases/?show=all")
    page.click("#case-map-link")
    page.wait_for_url("**/staff/map/?show=all")
    page.wait_for_selector("#staff-map[data-loaded] .map-cluster")
    cluster = page.locator(".map-cluster")
    assert cluster.count() == 1
    assert cluster.inner_text() == "4"
    assert page.locator(".map-pin").count() == 2
    assert page.locator("#map-list li").count() == 6
    assert "6 дел" in page.inner_text("#map-status")
    screenshots(page, "clusters")

    before = loaded_zoom(page)
    cluster.click()
    page.wait_for_function(
        f"() => parseInt(document.getElementById('staff-map').dataset.loaded.slice(1)) > {before}"
    )
    page.wait_for_selector(".map-pin")
    assert page.locator(".map-cluster").count() == 0
    titles = page.locator(".map-pin").evaluate_all("pins => pins.map(p => p.title)")
    assert sorted(title.split(" · ")[0] for title in titles) == sorted(
        c.tracking_code for c in close
    )
    assert page.locator("#map-list li").count() == 4
    screenshots(page, "zoomed")

    target = close[2]
    page.click(f'.map-pin[title^="{target.tracking_code}"]')
    page.wait_for_url(f"**/staff/cases/{target.pk}/")
    assert target.tracking_code in page.inner_text("h1")

    # Back on the map, the view is where the clerk left it.
    page.go_back()
    page.wait_for_selector(".map-pin")
    assert loaded_zoom(page) > before
    assert violations == []
