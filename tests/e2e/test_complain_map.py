"""A citizen files a complaint in a real browser, marking the place on the Leaflet map."""

import os
import shutil

import pytest

from casework.models import Case
from tests.conftest import need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page(monkeypatch):
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    need(shutil.which(path) is not None or os.path.exists(path), f"Chromium at {path}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=FLAGS)
        page = browser.new_page()
        # Nothing may leave 127.0.0.1.
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if "127.0.0.1" in route.request.url or "localhost" in route.request.url
                else route.abort()
            ),
        )
        yield page
        browser.close()


def test_a_citizen_marks_the_place_on_the_map_and_gets_a_tracking_code(
    page, live_server, world, settings
):
    settings.MAP_TILE_URL = ""
    page.goto(f"{live_server.url}/complain/")
    page.select_option("#id_category", str(world.pothole.pk))
    page.select_option("#id_district", str(world.a1.pk))
    page.fill("#id_description", "Глубокая яма у подъезда")
    page.click("#place-map", position={"x": 200, "y": 150})
    assert page.input_value("#id_latitude") != ""
    page.click("button[type=submit].primary")
    page.wait_for_url("**/complain/done/")
    code = page.text_content("#tracking-code").strip()
    case = Case.objects.get(tracking_code=code)
    assert case.latitude is not None and case.longitude is not None
    assert case.description == "Глубокая яма у подъезда"
