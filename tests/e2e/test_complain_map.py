"""A citizen files a complaint in a real browser, marking the place on the Leaflet map."""

import pytest

from casework.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_marks_the_place_on_the_map_and_gets_a_tracking_code(
    new_page, live_server, world
):
    # The suite's one browser (tests/e2e/conftest.py): a second Playwright in the same thread
    # fails whenever another browser test ran first. new_page keeps every request on 127.0.0.1.
    page = new_page()
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
