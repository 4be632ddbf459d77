"""The public map in a real browser at a phone's size (390 × 844, issue 15): a citizen opens /,
sees the complaints as a cluster, pans, goes to /map/ and filters, opens a cluster (the map
zooms in), opens a complaint's public page from its pin, and from the map goes to "report a
problem here" with the point preset. No tiles (nothing outside the test server is reachable), no
Content-Security-Policy violation, axe-core clean. The screenshots are kept (the path is
printed)."""

import pytest

from tests.e2e.axe import axe_describe, axe_run

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def axe():
    from tests.e2e.axe import axe_available

    axe_available()


def loads(page) -> int:
    return int(page.get_attribute("#public-map", "data-loads") or "0")


def wait_for_load_after(page, before: int) -> None:
    page.wait_for_function(
        f"() => parseInt(document.getElementById('public-map').dataset.loads || '0') > {before}"
    )


def zoom(page) -> int:
    return int(page.get_attribute("#public-map", "data-loaded")[1:])


def test_a_citizen_finds_a_complaint_on_the_public_map_and_reports_one(
    live_server, new_page, screenshots, world, axe
):
    close = [
        world.case(title=f"Яма {n}", latitude=f"{50.2800 + n * 0.0003:.6f}", longitude="57.160000")
        for n in range(4)
    ]
    assigned = world.advance(close[0], "assigned")
    world.case(title="Люк", latitude="50.300000", longitude="57.200000")
    hidden = world.case(
        title="Взятка", category=world.corruption, latitude="50.280100", longitude="57.160000"
    )
    base = live_server.url
    page = new_page("ru-RU")
    page.set_viewport_size(PHONE)
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    problems: list[str] = []

    page.goto(f"{base}/")
    page.wait_for_selector("#public-map[data-loaded] .map-cluster")
    assert page.locator(".map-cluster").inner_text() == "5"  # the corruption report never counts
    assert "5" in page.inner_text("#map-status")
    page.wait_for_function("() => document.getElementById('figure-received').textContent !== '—'")
    assert page.inner_text("#figure-received") == "5"
    problems += axe_describe("/ (phone)", axe_run(page))
    folder = screenshots(page, "home").parent
    print(f"\nscreenshots: {folder}")

    # Pan: drag the map; it asks again for what is in the new bounds.
    before = loads(page)
    page.locator("#public-map").scroll_into_view_if_needed()
    box = page.locator("#public-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 60, box["y"] + box["height"] / 2 + 40, steps=8)
    page.mouse.up()
    wait_for_load_after(page, before)
    screenshots(page, "panned")

    # The map page, with filters: only the assigned complaint.
    page.click("header .public-nav a[href='/map/']")
    page.wait_for_url("**/map/")
    page.wait_for_selector("#public-map[data-loaded] .map-cluster")
    problems += axe_describe("/map/ (phone)", axe_run(page))
    page.click(".map-filters summary")
    before = loads(page)
    page.select_option("#id_state", "assigned")
    wait_for_load_after(page, before)
    assert "state=assigned" in page.url
    assert page.locator("#map-list li").count() == 1
    assert assigned.tracking_code in page.inner_text("#map-list")
    screenshots(page, "filtered")
    before = loads(page)
    page.select_option("#id_state", "")
    wait_for_load_after(page, before)

    # Open a cluster: the map zooms in until the complaints stand as pins.
    for _ in range(12):
        if page.locator(".map-pin").count() >= 4:
            break
        before, level = loads(page), zoom(page)
        page.locator(".map-cluster").first.click()
        wait_for_load_after(page, before)
        assert zoom(page) > level
    titles = page.locator(".map-pin").evaluate_all("pins => pins.map(p => p.title)")
    assert {c.tracking_code for c in close} <= {t.split(" · ")[0] for t in titles}
    assert not any(hidden.tracking_code in t for t in titles)
    assert "Яма 1" not in " ".join(titles)  # the citizen's title is never shown
    screenshots(page, "zoomed")

    # "Report a problem here" carries the map's centre to the complaint form.
    page.click("#report-here")
    page.wait_for_url("**/complain/?lat=*")
    lat = float(page.input_value("#id_latitude"))
    lon = float(page.input_value("#id_longitude"))
    assert abs(lat - 50.2805) < 0.05 and abs(lon - 57.17) < 0.1
    screenshots(page, "report-here")
    page.go_back()
    page.wait_for_selector(".map-pin")

    # Open a complaint from its pin: its public page.
    target = close[2]
    page.click(f'.map-pin[title^="{target.tracking_code}"]')
    page.wait_for_url(f"**/cases/{target.tracking_code}/")
    screenshots(page, "case")

    assert violations == []
    assert problems == [], "\n".join(problems)
