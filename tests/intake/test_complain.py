import hashlib
import os

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ImageFile

from casework.models import Case, OutboxJob
from tests.cache_keys import cache_clear_own
from tests.factories import image_upload, png_declaring, png_of_nothing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache_clear_own()
    yield
    cache_clear_own()


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


def test_an_anonymous_complaint_is_filed_and_the_code_shown(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
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


def test_a_description_over_the_limit_is_refused(client, world):
    client.cookies["django_language"] = "en"
    response = client.post("/complain/", form(world, description="a" * 4001))
    assert response.status_code == 400 and not Case.objects.exists()
    assert "At most 4000 characters" in response.content.decode()


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


def test_refused_attempts_count_against_the_limit_too(client, world, monkeypatch):
    monkeypatch.setenv("INTAKE_WEB_RATE", "2/h")
    client.cookies["django_language"] = "en"
    for _ in range(2):
        fake = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
        refused = client.post("/complain/", form(world, photos=[fake]))
        assert refused.status_code == 400
    blocked = client.post("/complain/", form(world))
    assert blocked.status_code == 429
    assert "Too many complaints from this address" in blocked.content.decode()
    assert not Case.objects.exists()


def test_done_page_without_a_filed_complaint_is_404(client, db):
    assert client.get("/complain/done/").status_code == 404


def upload(content: bytes, name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def nothing_stored(settings) -> bool:
    files = [
        name
        for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT)
        for _dir, _subdirs, names in os.walk(root)
        for name in names
    ]
    # The test world's contracts, signed before the request, publish `contract.changed`: jobs
    # of the world, not of the complaint.
    complaint_jobs = OutboxJob.objects.exclude(payload__has_key="contract")
    return not Case.objects.exists() and not complaint_jobs.exists() and files == []


@pytest.fixture
def decodes(monkeypatch):
    """The size of every image whose pixels Pillow is asked to load."""
    started = []
    original = ImageFile.ImageFile.load

    def load(self):
        started.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return started


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The photo has too many pixels (at most 40 megapixels)."),
        ("ru", "В фото слишком много пикселей (не более 40 мегапикселей)."),
        ("kk", "Фотода пиксель тым көп (ең көбі 40 мегапиксель)."),
    ],
)
def test_a_png_declaring_20000_by_20000_pixels_is_refused_before_any_decode(
    client, world, settings, decodes, language, text
):
    bomb = png_declaring(20_000, 20_000)
    assert len(bomb) < 100
    client.cookies["django_language"] = language
    response = client.post("/complain/", form(world, photos=[upload(bomb)]))
    assert response.status_code == 400
    assert text in response.content.decode()
    assert decodes == [] and nothing_stored(settings)


def test_a_photo_too_big_to_decode_is_refused_from_its_header(client, world, settings, decodes):
    """The issue's 117 KB PNG: 36 megapixels (under the pixel limit), 144 MB once decoded."""
    bomb = png_of_nothing(6000, 6000)
    assert len(bomb) < 200_000
    client.cookies["django_language"] = "en"
    response = client.post("/complain/", form(world, photos=[upload(bomb)]))
    assert response.status_code == 400
    assert "would need 137 MB of memory to open; at most 128 MB" in response.content.decode()
    assert decodes == [] and nothing_stored(settings)


def test_repeated_refused_photos_run_into_the_rate_limit(client, world, monkeypatch, settings):
    monkeypatch.setenv("INTAKE_WEB_RATE", "3/h")
    bomb = png_declaring(20_000, 20_000)
    statuses = [
        client.post("/complain/", form(world, photos=[upload(bomb)])).status_code for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 429, 429]
    assert nothing_stored(settings)


def test_the_photo_is_made_public_after_the_request(
    client, world, settings, decodes, django_capture_on_commit_callbacks
):
    photo = image_upload("a.jpg", size=(320, 240))
    content = photo.read()
    photo.seek(0)
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        response = client.post("/complain/", form(world, photos=[photo]))
    assert response.status_code == 302
    case = Case.objects.get()
    # The request read the header only and kept the original; nothing is public yet.
    assert decodes == [] and not case.attachments.exists()
    sha256 = hashlib.sha256(content).hexdigest()
    assert storages["private"].exists(f"originals/{sha256}.jpg")
    job = OutboxJob.objects.get(kind="attachment_process")
    assert job.status == OutboxJob.Status.PENDING and job.payload["sha256"] == sha256
    opened = case.events.get(action="open")
    assert opened.payload["photos_to_process"] == [sha256]
    for callback in after_commit:
        callback()  # the job, as the worker runs it (eagerly here)
    attachment = case.attachments.get()
    assert decodes and set(decodes) == {(320, 240)}  # decoded in the job only
    assert attachment.sha256 == sha256 and (attachment.width, attachment.height) == (320, 240)
    assert attachment.file.size > 0 and attachment.uploaded_by is None
    job.refresh_from_db()
    assert job.status == OutboxJob.Status.DONE
