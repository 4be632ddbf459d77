"""A citizen visits a project's site online on a phone: watches the camera's time-lapse, confirms
an e-mail address (or a phone, through the Telegram bot) with a one-time code, comments and
follows the project."""

import json
import re

import pytest
from django.core import mail
from django.test import Client

from projects.models import Comment, Follow
from tests.e2e.axe import axe_available, axe_describe, axe_run
from tests.intake import conftest as intake_fixtures
from tests.intake.conftest import TG_SECRET
from tests.intake.test_telegram import update
from tests.projects.visit_factories import camera_with_frames, visit_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The chat channels served by the local fake platforms (for the phone code through the bot).
platforms = intake_fixtures.platforms
channels = intake_fixtures.channels


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


def test_a_citizen_confirms_a_phone_through_the_telegram_bot_comments_and_follows(
    new_page, live_server, world, channels, monkeypatch, settings, screenshots
):
    settings.RATELIMIT_CACHE_PREFIX = "rl:e2e-project-phone-code:"
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "baqylau_bot")
    project = visit_project(world, code="yard-e2e-phone")
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/projects/{project.code}/visit/")
    page.click(".chat-form button[type=submit]")
    code = page.text_content(".chat-code strong").strip()
    assert page.get_attribute(".chat-links a", "href") == f"https://t.me/baqylau_bot?start={code}"
    page.fill("#chat-display-name", "Ерлан")
    screenshots(page, "phone-code")
    assert axe_describe("visit page, phone code", axe_run(page)) == []

    # The citizen opens the link: Telegram sends the bot "/start <code>".
    body = update(600, text=f"/start {code}")
    response = Client().post(
        "/intake/telegram/",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=TG_SECRET,
    )
    assert response.status_code == 200
    # The page notices (it asks every few seconds) and finishes with the name typed.
    page.wait_for_selector("#comment-text", timeout=15_000)
    page.fill("#comment-text", "Двор закончат к осени?")
    page.click(".comment-form button[type=submit]")
    page.wait_for_selector(".comment.pending")
    page.click("form[action$='/visit/follow/'] button")
    page.wait_for_selector(".following")
    assert Follow.objects.get().commenter.chat_channel == "telegram"
    assert Comment.objects.get().display_name == "Ерлан"
