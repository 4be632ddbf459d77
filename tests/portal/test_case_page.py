"""The public case page /cases/<code>/: the timeline in plain words, the repair's photos without
any metadata, the published accountability outcome; never the complainant or what they wrote;
the same 404 for every case the public may not see; a 304 for a phone that has the page."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from casework import services
from casework.models import Attachment, Case
from contractors.services import work_order_issue
from oversight.models import AcceptedWorkFailure
from tests.contractors.photos import photo_bytes
from tests.oversight.conftest import posts  # noqa: F401  (a fixture)
from tests.oversight.inquiry_fixtures import *  # noqa: F403  (the fixtures)

pytestmark = pytest.mark.django_db

SECRET = "Zyxwvut-secret-word"
COMPLAINANT = {"name": "Айгүл Сейтқали", "phone": "+77011234567", "email": "aigul@example.kz"}
GPS = (50.2839, 57.167)


def planted(world, **kw) -> Case:
    return world.case(
        title=f"Яма {SECRET}",
        description=f"Около дома {SECRET}, звоните",
        address=f"ул. Абая 5, кв. {SECRET}",
        complainant=COMPLAINANT,
        **kw,
    )


def jpeg_with_gps(seed: int) -> SimpleUploadedFile:
    import datetime as dt

    content = photo_bytes(
        seed, "JPEG", taken_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), lat=GPS[0], lon=GPS[1]
    )
    return SimpleUploadedFile(f"p{seed}.jpg", content, content_type="image/jpeg")


def repaired(world, case: Case) -> Case:
    case = world.advance(case, "assigned")
    work_order_issue(case, actor=world.officer, contract=world.contract)
    services.case_report_repaired(
        Case.objects.get(pk=case.pk),
        actor=world.contractor_user,
        before=[jpeg_with_gps(1)],
        after=[jpeg_with_gps(2)],
    )
    return Case.objects.get(pk=case.pk)


def page(client, code: str, **headers):
    return client.get(f"/cases/{code}/", **headers)


def test_the_public_page_tells_the_story_without_the_complainant_or_their_words(client, world):
    case = repaired(world, planted(world))
    client.cookies["django_language"] = "en"
    response = page(client, case.tracking_code)
    assert response.status_code == 200
    html = response.content.decode()
    timeline = html.split('id="public-timeline"', 1)[1].split("</section>", 1)[0]
    assert "Complaint received" in timeline
    assert "Work order issued to a contractor" in timeline
    assert "Contractor reported the repair done" in timeline
    assert "Pothole" in html and "A1" in html and case.tracking_code in html
    for private in (SECRET, *COMPLAINANT.values(), "Яма", "Абая", world.officer.username):
        assert private not in html


def test_the_page_is_in_the_visitors_language(client, world):
    case = world.case()
    client.cookies["django_language"] = "kk"
    kk = page(client, case.tracking_code).content.decode()
    client.cookies["django_language"] = "ru"
    ru = page(client, case.tracking_code).content.decode()
    assert '<html lang="kk">' in kk and "Шұңқыр" in kk
    assert '<html lang="ru">' in ru and "Яма" in ru


def _not_found_body(response) -> str:
    # Each page quotes its own request id: everything else is the same.
    return re.sub(r"[0-9a-f]{32}", "", response.content.decode())


def test_every_case_the_public_may_not_see_gets_the_same_404(client, world):
    corruption = world.case(category=world.corruption)
    hidden_category = world.pothole.__class__.objects.create(
        code="hidden", name_kk="Ж", name_ru="С", name_en="Hidden", public=False
    )
    hidden = world.case(category=hidden_category)
    public = world.case()
    typo = public.tracking_code[:-1] + ("X" if public.tracking_code[-1] != "X" else "Y")
    answers = [
        page(client, code)
        for code in (corruption.tracking_code, hidden.tracking_code, "AQT-2026-ZZZZZZZZZ", typo)
    ]
    assert [r.status_code for r in answers] == [404] * 4
    bodies = {_not_found_body(r) for r in answers}
    assert len(bodies) == 1
    # Nor do their photos answer.
    photo_of_report = world.case(category=world.corruption, photos=[jpeg_with_gps(3)])
    attachment = Attachment.objects.get(case=photo_of_report)
    url = f"/cases/{photo_of_report.tracking_code}/photos/{attachment.pk}/"
    assert client.get(url).status_code == 404


def test_repair_photos_are_served_without_any_metadata(client, world):
    case = repaired(world, world.case())
    html = page(client, case.tracking_code).content.decode()
    before = case.attachments.get(kind="before")
    after = case.attachments.get(kind="after")
    for photo in (before, after):
        url = f"/cases/{case.tracking_code}/photos/{photo.pk}/"
        assert f'<img src="{url}"' in html
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        content = b"".join(response.streaming_content)
        image = Image.open(io.BytesIO(content))
        assert not image.getexif()  # no GPS, no time, nothing
        assert b"Exif" not in content and b"GPS" not in content
        assert image.size == (320, 240)
    # The stored public copy still has its time for the staff; the page's copy is cached.
    with after.file.open("rb") as handle:
        assert Image.open(handle).getexif()
    again = client.get(f"/cases/{case.tracking_code}/photos/{after.pk}/")
    assert again.status_code == 200


def test_only_the_repair_photos_of_this_case_are_served(client, world):
    case = repaired(world, world.case(photos=[jpeg_with_gps(4)]))
    complaint_photo = case.attachments.get(kind="complaint")
    html = page(client, case.tracking_code).content.decode()
    assert f"/photos/{complaint_photo.pk}/" not in html
    base = f"/cases/{case.tracking_code}/photos/"
    assert client.get(f"{base}{complaint_photo.pk}/").status_code == 404
    other = repaired(world, world.case())
    other_after = other.attachments.get(kind="after")
    assert client.get(f"{base}{other_after.pk}/").status_code == 404
    assert client.get(f"{base}999999/").status_code == 404


def test_a_phone_that_has_the_page_gets_304_until_the_case_changes(client, world):
    case = world.case()
    first = page(client, case.tracking_code)
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    assert "Accept-Language" in first["Vary"]
    again = page(client, case.tracking_code, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    client.cookies["django_language"] = "kk"
    other_language = page(client, case.tracking_code, HTTP_IF_NONE_MATCH=etag)
    assert other_language.status_code == 200 and other_language["ETag"] != etag
    del client.cookies["django_language"]
    world.advance(case, "assigned")
    changed = page(client, case.tracking_code, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Sent to a department" in changed.content.decode() or changed["ETag"] != etag


def test_photo_304_on_its_etag(client, world):
    case = repaired(world, world.case())
    after = case.attachments.get(kind="after")
    url = f"/cases/{case.tracking_code}/photos/{after.pk}/"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_published_outcome_shows_with_posts_never_names(client, posts, failed_act):  # noqa: F811
    case = AcceptedWorkFailure.objects.get(act=failed_act).case
    client.cookies["django_language"] = "en"
    response = page(client, case.tracking_code)
    assert response.status_code == 200
    html = response.content.decode()
    told = html.split('id="accountability"', 1)[1].split("</section>", 1)[0]
    assert "Inspector" in told and "failed" in told
    assert posts.inspector.full_name not in html


def test_the_page_only_reads(client, world):
    case = world.case()
    from casework.models import CaseEvent

    events = CaseEvent.objects.count()
    page(client, case.tracking_code)
    assert CaseEvent.objects.count() == events


def test_a_png_with_text_and_transparency_becomes_a_bare_jpeg():
    from PIL import PngImagePlugin

    from portal.case_page_photos import stripped_bytes

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET)
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 30), (10, 20, 30, 128)).save(buffer, "PNG", pnginfo=info)
    assert SECRET.encode() in buffer.getvalue()
    content = stripped_bytes(buffer.getvalue())
    assert SECRET.encode() not in content
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (40, 30)
    assert not image.getexif() and "comment" not in image.info


def test_the_page_links_the_project_the_complaint_was_linked_to(client, world):
    from projects.linking import case_link
    from tests.projects.helpers import make_project

    project = make_project(world)
    case = world.case()
    etag_before = page(client, case.tracking_code)["ETag"]
    assert (
        f'href="/projects/{project.code}/"' not in page(client, case.tracking_code).content.decode()
    )
    case_link(case)
    response = page(client, case.tracking_code, HTTP_IF_NONE_MATCH=etag_before)
    assert response.status_code == 200
    assert f'href="/projects/{project.code}/"' in response.content.decode()
