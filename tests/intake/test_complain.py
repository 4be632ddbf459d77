import pytest
from django.core.cache import cache

from casework.models import Case
from tests.factories import image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def form(world, **overrides):
    data = {
        "category": world.pothole.pk,
        "district": world.a1.pk,
        "title": "",
        "description": "Глубокая яма у дома 12 по улице Маресьева",
        "latitude": "50.283900",
        "longitude": "57.167000",
        "address": "",
        "name": "",
        "phone": "",
        "email": "",
    }
    data.update(overrides)
    return data


def test_the_form_shows_the_map_picker(client, world, settings):
    settings.MAP_TILE_URL = ""
    html = client.get("/complain/").content.decode()
    assert 'id="place-map"' in html and "leaflet.js" in html and 'data-tile-url=""' in html


def test_an_anonymous_complaint_is_filed_and_the_code_shown(client, world):
    response = client.post("/complain/", form(world, photos=[image_upload("a.jpg")]))
    assert response.status_code == 302 and response["Location"] == "/complain/done/"
    case = Case.objects.get()
    assert case.channel == "web" and case.complainant is None and case.attachments.count() == 1
    assert case.title == "Глубокая яма у дома 12 по улице Маресьева"
    done = client.get("/complain/done/").content.decode()
    assert case.tracking_code in done and f"?t={case.access_token}" in done


def test_a_typed_address_is_enough(client, world):
    response = client.post(
        "/complain/", form(world, latitude="", longitude="", address="ул. Маресьева, 12")
    )
    assert response.status_code == 302
    assert Case.objects.get().address == "ул. Маресьева, 12"


def test_no_place_is_a_field_error_and_nothing_is_written(client, world):
    response = client.post("/complain/", form(world, latitude="", longitude=""))
    assert response.status_code == 400
    assert "Pick the place" in response.content.decode() or "Отметьте" in response.content.decode()
    assert not Case.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = client.post("/complain/", form(world, photos=[fake]))
    assert response.status_code == 400 and not Case.objects.exists()


def test_a_category_that_needs_identity_refuses_anonymity(client, world):
    world.pothole.requires_identity = True
    world.pothole.save()
    response = client.post("/complain/", form(world))
    assert response.status_code == 400 and not Case.objects.exists()
    response = client.post("/complain/", form(world, name="Айгүл", phone="+77011234567"))
    assert response.status_code == 302
    assert Case.objects.get().complainant.name == "Айгүл"


def test_the_complainant_language_is_the_page_language(client, world):
    client.cookies["django_language"] = "kk"
    client.post("/complain/", form(world, name="Айгүл", email="a@example.kz"))
    assert Case.objects.get().complainant.language == "kk"


def test_filing_is_rate_limited_per_ip(client, world, monkeypatch):
    monkeypatch.setenv("INTAKE_WEB_RATE", "2/h")
    for _ in range(2):
        assert client.post("/complain/", form(world)).status_code == 302
    blocked = client.post("/complain/", form(world))
    assert blocked.status_code == 429 and Case.objects.count() == 2
    other = client.post("/complain/", form(world), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_done_page_without_a_filed_complaint_is_404(client, db):
    assert client.get("/complain/done/").status_code == 404
