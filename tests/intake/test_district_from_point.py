"""The web form and the clerk's phone form take a complaint's district from its map point when
district areas are configured, and refuse a point outside the chosen district."""

import pytest

from casework.models import Case
from intake.models import DistrictArea
from tests.cache_keys import cache_clear_own

pytestmark = pytest.mark.django_db

IN_A1 = {"latitude": "50.290000", "longitude": "57.170000"}
IN_A2 = {"latitude": "50.050000", "longitude": "57.950000"}
IN_TARAZ = {"latitude": "42.901000", "longitude": "71.370000"}
NOWHERE = {"latitude": "47.000000", "longitude": "62.000000"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache_clear_own()
    yield
    cache_clear_own()


@pytest.fixture
def areas(world):
    DistrictArea.objects.create(
        district=world.a1, latitude="50.283900", longitude="57.167000", radius_km=15
    )
    DistrictArea.objects.create(
        district=world.a2, latitude="50.050000", longitude="57.950000", radius_km=20
    )
    DistrictArea.objects.create(
        district=world.b1, latitude="42.900000", longitude="71.366700", radius_km=15
    )


def complaint(world, district="", **overrides):
    data = {
        "category": world.pothole.pk,
        "district": district,
        "title": "",
        "description": "Глубокая яма у дома 12",
        "address": "",
        "name": "",
        "phone": "",
        "email": "",
        **IN_A1,
    }
    data.update(overrides)
    return data


def call(world, **overrides):
    data = {
        "category": world.pothole.pk,
        "caller_name": "Бауыржан Ахметов",
        "caller_phone": "+77015550000",
        "caller_language": "kk",
        "title": "Яма у остановки",
        "description": "Звонящий сообщил о яме у остановки.",
        "address": "",
        "received_at": "",
        **IN_A1,
    }
    data.update(overrides)
    return data


def test_the_web_form_takes_the_district_from_the_point(client, world, areas):
    response = client.post("/complain/", complaint(world, **IN_A2))
    assert response.status_code == 302
    assert Case.objects.get().district == world.a2


def test_the_web_form_refuses_a_point_in_another_district(client, world, areas):
    client.cookies["django_language"] = "en"
    response = client.post("/complain/", complaint(world, district=world.a1.pk, **IN_TARAZ))
    assert response.status_code == 400 and not Case.objects.exists()
    html = response.content.decode()
    assert "The place you marked is in B1, not in A1" in html


def test_the_web_form_refuses_a_point_outside_the_chosen_district(client, world, areas):
    client.cookies["django_language"] = "en"
    response = client.post("/complain/", complaint(world, district=world.a1.pk, **NOWHERE))
    assert response.status_code == 400 and not Case.objects.exists()
    assert "The place you marked is outside A1" in response.content.decode()
    response = client.post("/complain/", complaint(world, **NOWHERE))
    assert response.status_code == 400 and not Case.objects.exists()
    assert "outside every district we serve" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "находится в пределах «Б1», а не «А1»"), ("kk", "«Б1» аумағында, «А1» емес")],
)
def test_the_refusal_speaks_the_citizens_language(client, world, areas, language, expected):
    client.cookies["django_language"] = language
    response = client.post("/complain/", complaint(world, district=world.a1.pk, **IN_TARAZ))
    assert response.status_code == 400
    assert expected in response.content.decode()


def test_the_chosen_district_matching_the_point_is_kept(client, world, areas):
    response = client.post("/complain/", complaint(world, district=world.a1.pk))
    assert response.status_code == 302 and Case.objects.get().district == world.a1


def test_without_a_point_the_district_must_be_chosen(client, world, areas):
    data = complaint(world, latitude="", longitude="", address="ул. Абая, 1")
    response = client.post("/complain/", data)
    assert response.status_code == 400 and not Case.objects.exists()
    response = client.post("/complain/", {**data, "district": world.a2.pk})
    assert response.status_code == 302 and Case.objects.get().district == world.a2


def test_without_areas_the_chosen_district_stands(client, world):
    response = client.post("/complain/", complaint(world, district=world.a1.pk, **IN_TARAZ))
    assert response.status_code == 302 and Case.objects.get().district == world.a1
    response = client.post("/complain/", complaint(world))
    assert response.status_code == 400  # no areas: the district is required


def test_the_form_offers_the_districts_areas_and_the_citizens_location(client, world, areas):
    html = client.get("/complain/").content.decode()
    assert 'id="place-locate"' in html and "data-districts=" in html
    assert "[50.2839, 57.167, 15]" in html  # A1's area, for the map to follow the choice


def test_the_clerk_records_a_call_placed_in_their_district(client, world, areas):
    client.force_login(world.clerk)
    response = client.post("/intake/phone/", call(world))
    assert response.status_code == 302 and Case.objects.get().district == world.a1


def test_the_clerk_is_refused_a_point_outside_their_district(client, world, areas):
    client.force_login(world.clerk)
    client.cookies["django_language"] = "en"
    response = client.post("/intake/phone/", call(world, **IN_A2))
    assert response.status_code == 400 and not Case.objects.exists()
    assert "The marked place is in A2, outside your district A1" in response.content.decode()
    response = client.post("/intake/phone/", call(world, **NOWHERE))
    assert response.status_code == 400 and not Case.objects.exists()
    assert "outside your district A1" in response.content.decode()


def test_the_clerks_map_opens_on_their_district(client, world, areas):
    client.force_login(world.clerk)
    html = client.get("/intake/phone/").content.decode()
    assert 'data-centre="50.283900,57.167000"' in html and 'data-radius-km="15"' in html
    assert 'id="place-locate"' not in html  # the caller is not where the clerk is
