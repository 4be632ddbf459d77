"""In a real browser: the map opens where the complaint is likely to be (the clerk's district,
the citizen's own location), the district follows the point, and a point outside the chosen
district is refused with a clear message."""

import pytest

from casework.models import Case
from intake.models import DistrictArea

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A1_CENTRE = (50.2839, 57.167)
A2_CENTRE = (50.05, 57.95)


@pytest.fixture
def areas(world):
    DistrictArea.objects.create(
        district=world.a1, latitude=str(A1_CENTRE[0]), longitude=str(A1_CENTRE[1]), radius_km=15
    )
    DistrictArea.objects.create(
        district=world.a2, latitude=str(A2_CENTRE[0]), longitude=str(A2_CENTRE[1]), radius_km=20
    )


def located_at(page, live_server, latitude: float, longitude: float) -> None:
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": latitude, "longitude": longitude})


def test_use_my_location_marks_the_place_and_picks_the_district(
    new_page, live_server, world, areas
):
    page = new_page()
    located_at(page, live_server, 50.051, 57.952)
    page.goto(f"{live_server.url}/complain/")
    page.select_option("#id_category", str(world.pothole.pk))
    page.fill("#id_description", "Яма у школы")
    page.click("#place-locate")
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert float(page.input_value("#id_latitude")) == pytest.approx(50.051, abs=1e-6)
    assert page.input_value("#id_district") == str(world.a2.pk)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/complain/done/")
    case = Case.objects.get(tracking_code=page.text_content("#tracking-code").strip())
    assert case.district == world.a2


def test_a_place_far_outside_the_chosen_district_is_refused(new_page, live_server, world, areas):
    page = new_page()
    located_at(page, live_server, 42.901, 71.37)  # Taraz, a thousand kilometres away
    page.goto(f"{live_server.url}/complain/")
    page.select_option("#id_category", str(world.pothole.pk))
    page.select_option("#id_district", str(world.a1.pk))
    page.fill("#id_description", "Яма у школы")
    page.click("#place-locate")
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    error = page.text_content("#field-district")
    assert "Отмеченное место вне «А1»" in error
    assert not Case.objects.exists()


def test_the_clerks_map_opens_on_their_district(new_page, live_server, world, areas):
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/intake/phone/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw-clerk")
    page.click("main button[type=submit]")
    page.wait_for_url("**/intake/phone/")
    box = page.locator("#place-map").bounding_box()
    page.click("#place-map", position={"x": box["width"] / 2, "y": box["height"] / 2})
    latitude = float(page.input_value("#id_latitude"))
    longitude = float(page.input_value("#id_longitude"))
    # The middle of the map is the middle of the clerk's district, not of Kazakhstan.
    assert abs(latitude - A1_CENTRE[0]) < 0.05 and abs(longitude - A1_CENTRE[1]) < 0.05
