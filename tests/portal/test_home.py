"""The public home (/), the map page (/map/), the search box (/search/) and the complaint form's
preset point ("report a problem here")."""

import re

import pytest

from casework.models import Category

pytestmark = pytest.mark.django_db


def test_home_is_public_with_map_search_report_and_links(client, world, settings):
    settings.MAP_TILES_URL = "https://tiles.example.kz/{z}/{x}/{y}.png"
    settings.MAP_TILES_ATTRIBUTION = "© Example tiles"
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="public-map"' in html and 'data-url="/api/public/map/"' in html
    assert 'data-tiles="https://tiles.example.kz/{z}/{x}/{y}.png"' in html
    assert "© Example tiles" in html
    assert 'action="/search/"' in html and 'id="report-here" href="/complain/"' in html
    for link in ('href="/map/"', 'href="/projects/"', 'href="/ratings/"'):
        assert link in html
    assert "js/public-map.js" in html
    assert response["ETag"]


def test_home_works_without_tiles(client, world, settings):
    settings.MAP_TILES_URL = ""
    html = client.get("/").content.decode()
    assert 'data-tiles=""' in html and 'id="map-list"' in html and 'id="map-figures"' in html


def test_home_answers_304_to_its_own_etag(client, world):
    first = client.get("/")
    again = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    other = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_LANGUAGE="kk")
    assert other.status_code == 200 and other["ETag"] != first["ETag"]


def test_map_page_offers_public_filters_only(client, world):
    internal = Category.objects.create(
        code="internal", name_kk="Ішкі", name_ru="Внутреннее", name_en="Internal", public=False
    )
    response = client.get("/map/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-projects="/api/public/projects/"' in html
    categories = html[html.index('name="category"') :]
    categories = categories[: categories.index("</select>")]
    assert f'value="{world.pothole.pk}"' in categories
    assert f'value="{internal.pk}"' not in categories
    assert f'value="{world.corruption.pk}"' not in categories
    assert "under_review" not in html
    assert 'id="use-location"' in html


def test_map_page_refuses_a_bad_filter(client, world):
    response = client.get("/map/?received_from=yesterday")
    assert response.status_code == 400
    assert 'id="id_received_from-error"' in response.content.decode()


def test_search_by_tracking_code_opens_the_public_case_page(client, world):
    case = world.case(address="улица Абая, 10")
    response = client.get("/search/", {"q": case.tracking_code.lower()})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.tracking_code}/"


def test_search_by_address_lists_public_cases_without_their_address(client, world):
    case = world.case(address="улица Абая, 10")
    hidden = world.case(address="улица Абая, 12", category=world.corruption)
    response = client.get("/search/", {"q": "абая"})
    html = response.content.decode()
    assert case.tracking_code in html and hidden.tracking_code not in html
    assert "Абая, 10" not in html
    response = client.get("/search/", {"q": hidden.tracking_code})
    assert response.status_code == 200
    assert f"/cases/{hidden.tracking_code}/" not in response.content.decode()


def test_report_here_presets_the_point_on_the_complaint_form(client, world):
    html = client.get("/complain/", {"lat": "50.283900", "lon": "57.167000"}).content.decode()
    assert 'value="50.283900"' in html and 'value="57.167000"' in html
    bad = client.get("/complain/", {"lat": "91", "lon": "57"}).content.decode()
    # Only the point's own inputs: a district's <option value="91"> is no preset point.
    point_inputs = re.findall(r'<input[^>]*name="(?:latitude|longitude)"[^>]*>', bad)
    assert len(point_inputs) == 2 and not any('value="91"' in i for i in point_inputs)


def test_first_load_of_home_weighs_under_500_kb_compressed(client, world):
    """HTML, the stylesheets and scripts it links, the first GeoJSON and the month's figures,
    gzip-compressed as the server's proxy sends them (bench/map.py measures it at 1M cases)."""
    import gzip
    import re

    from django.contrib.staticfiles import finders

    for n in range(20):
        world.case(latitude=f"{50.28 + n * 0.001:.6f}", longitude="57.160000")
    html = client.get("/").content
    total = len(gzip.compress(html))
    assets = re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    assert len(assets) >= 4  # leaflet.css, baqylau.css, leaflet.js, public-map.js
    for name in assets:
        with open(finders.find(name.decode()), "rb") as file:
            total += len(gzip.compress(file.read()))
    for url in ("/api/public/map/?bbox=46.5,40.5,87.4,55.5&zoom=5", "/api/public/map/figures/"):
        total += len(
            gzip.compress(
                client.get(url + ("" if "?" in url else "?bbox=46.5,40.5,87.4,55.5")).content
            )
        )
    assert total <= 500 * 1024, total
