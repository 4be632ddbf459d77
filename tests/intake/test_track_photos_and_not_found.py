"""The tracking page shows the repair's public "after" photos when it asks whether the repair was
done well, to the holder of the case's link only; a mistyped code gets a real page with the
lookup form (still a 404, and the same for every reason)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def page(client, case, token=None):
    token = case.access_token if token is None else token
    return client.get(f"/track/{case.tracking_code}/?t={token}")


def test_the_question_about_the_repair_comes_with_the_after_photos(client, world):
    case = world.advance(world.case(), "verified")
    html = page(client, case).content.decode()
    after = case.attachments.get(kind="after")
    before = case.attachments.get(kind="before")
    word = html[html.index('id="citizen-word"') :]
    src = f"/track/{case.tracking_code}/photos/{after.pk}/?t={case.access_token}"
    assert f'<img src="{src}"' in word
    assert f"/photos/{before.pk}/" not in html
    response = client.get(src)
    assert response.status_code == 200 and response["Content-Type"] == after.content_type


def test_after_photos_are_only_for_the_holder_of_the_link(client, world):
    case = world.advance(world.case(), "verified")
    after = case.attachments.get(kind="after")
    before = case.attachments.get(kind="before")
    base = f"/track/{case.tracking_code}/photos/"
    assert client.get(f"{base}{after.pk}/").status_code == 404
    assert client.get(f"{base}{after.pk}/?t=wrong").status_code == 404
    assert client.get(f"{base}{before.pk}/?t={case.access_token}").status_code == 404
    other = world.advance(world.case(), "verified")
    other_after = other.attachments.get(kind="after")
    assert client.get(f"{base}{other_after.pk}/?t={case.access_token}").status_code == 404
    # The status-only page (code without the link) shows no photo.
    assert "<img" not in client.get(f"/track/{case.tracking_code}/").content.decode()


def test_before_the_repair_is_accepted_no_photos_are_asked_about(client, world):
    case = world.advance(world.case(), "repaired")
    html = page(client, case).content.decode()
    assert "/photos/" not in html


def test_a_mistyped_code_gets_a_friendly_page_with_the_lookup_form(client, world):
    case = world.case()
    typo = case.tracking_code[:-1] + ("X" if case.tracking_code[-1] != "X" else "Y")
    response = client.get(f"/track/{typo}/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'id="track-not-found"' in html
    form = re.search(r'<form method="get" action="/track/">(.*?)</form>', html, re.S).group(1)
    assert 'name="code"' in form and f'value="{typo}"' in form
    assert 'class="topbar"' in html  # the site's own layout, not a bare error
    # A corruption report without its link looks the same as an unknown code.
    report = world.case(category=world.corruption)
    response = client.get(f"/track/{report.tracking_code}/")
    assert response.status_code == 404 and 'id="track-not-found"' in response.content.decode()
