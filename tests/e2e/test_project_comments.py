"""A citizen visits a project's site online on a phone: watches the camera's time-lapse, confirms
an e-mail address with a one-time code, comments and follows the project."""

import re

import pytest
from django.core import mail

from projects.models import Comment, Follow
from tests.e2e.axe import axe_available, axe_describe, axe_run
from tests.projects.visit_factories import camera_with_frames, visit_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_watches_the_time_lapse_comments_with_a_code_and_follows(
    new_page, live_server, world, screenshots, settings
):
    settings.RATELIMIT_CACHE_PREFIX = "rl:e2e-project-comments:"
    project = visit_project(world, code="yard-e2e")
    camera = camera_with_frames(project, frames=6)
    frames = list(camera.snapshots.order_by("taken_at").values_list("pk", flat=True))

    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/projects/{project.code}/visit/")
    image = page.locator(".camera-image")
    assert image.get_attribute("src").endswith(f"/snapshots/{frames[-1]}/")
    # The slideshow starts from the first frame when the latest is showing, and ends on it.
    page.click(".timelapse-play")
    page.wait_for_function("() => document.querySelector('.project-camera').dataset.frame === '0'")
    page.wait_for_function("() => document.querySelector('.project-camera').dataset.played")
    assert image.get_attribute("src").endswith(f"/snapshots/{frames[-1]}/")
    assert page.evaluate("() => document.querySelector('.camera-image').naturalWidth") == 96
    screenshots(page, "time-lapse")

    axe_available()
    assert axe_describe("visit page", axe_run(page)) == []

    page.fill("#comment-email", "aigul@example.kz")
    page.click(".email-form button[type=submit]")
    page.wait_for_selector("#confirm-code")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.fill("#confirm-code", code)
    page.fill("#display-name", "Айгүл")
    page.click(".code-form button[type=submit]")
    page.wait_for_selector("#comment-text")
    page.fill("#comment-text", "Когда поставят скамейки?")
    page.click(".comment-form button[type=submit]")
    page.wait_for_selector(".comment.pending")
    assert "Когда поставят скамейки?" in page.text_content(".comment-list")
    page.click("form[action$='/visit/follow/'] button")
    page.wait_for_selector(".following")
    screenshots(page, "commented-and-following")
    assert axe_describe("visit page, signed in", axe_run(page)) == []

    comment = Comment.objects.get()
    assert (comment.display_name, comment.status) == ("Айгүл", "pending")
    assert Follow.objects.get().project == project
