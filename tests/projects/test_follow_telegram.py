"""A commenter confirmed through the Telegram bot follows a project: milestone and progress
notices reach the chat after commit; replying "стоп" ends them."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from intake.models import Draft
from projects.models import Follow
from projects.services import milestone_record, progress_record
from tests.intake import conftest as intake_fixtures
from tests.intake.test_telegram import update
from tests.projects.visit_factories import own_rate_limit_counters, visit_project  # noqa: F401

pytestmark = pytest.mark.django_db

platforms = intake_fixtures.platforms
channels = intake_fixtures.channels
post_webhook = intake_fixtures.post_webhook


@pytest.fixture
def project(world):
    return visit_project(world)


def _url(project, name):
    return reverse(f"projects:{name}", args=[project.code])


@pytest.fixture
def follower(channels, monkeypatch, project, post_webhook):
    """A browser confirmed through the Telegram chat 5551234, following `project`."""
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "baqylau_bot")
    browser = Client()
    browser.post(_url(project, "chat_code"))
    code = re.search(r"P-\d{6}", browser.get(_url(project, "visit")).content.decode()).group(0)
    post_webhook("telegram", update(500, text=f"/start {code}"))
    assert browser.post(_url(project, "chat_confirm"), {"display_name": "Ерлан"}).status_code
    assert browser.post(_url(project, "follow")).status_code == 302
    assert Follow.objects.get().project == project
    page = browser.get(_url(project, "visit")).content.decode()
    assert "following" in page
    return browser


def _milestone(project, world, capture, **data):
    today = timezone.localdate()
    values = {
        "name_kk": "Асфальт төсеу",
        "name_ru": "Укладка асфальта",
        "planned_start": today - dt.timedelta(days=30),
        "planned_end": today - dt.timedelta(days=5),
        "status": "scheduled",
    }
    values.update(data)
    with capture(execute=True):
        return milestone_record(project, actor=world.manager, data=values)


def _chat_texts(channels) -> list[str]:
    return [sent.body["text"] for sent in channels.sent_to("telegram")]


def test_milestone_and_progress_notices_reach_the_telegram_chat(
    follower, project, world, channels, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    before = len(_chat_texts(channels))
    milestone = _milestone(project, world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        milestone_record(
            project,
            actor=world.manager,
            milestone=milestone,
            data={
                "status": "met",
                "actual_start": timezone.localdate() - dt.timedelta(days=30),
                "actual_end": timezone.localdate() - dt.timedelta(days=1),
            },
        )
    with django_capture_on_commit_callbacks(execute=True):
        progress_record(
            project,
            actor=world.manager,
            observed_on=timezone.localdate(),
            physical_percent="45",
            spent_amount="1000000",
        )
    notices = _chat_texts(channels)[before:]
    assert len(notices) == 3
    new, met, progress = notices
    assert "Укладка асфальта" in new and "Укладка асфальта" in met  # the chat's language, ru
    with translation.override("ru"):
        assert ngettext("%(days)s day late.", "%(days)s days late.", 4) % {"days": 4} in met
    assert "45" in progress
    with translation.override("ru"):
        stop_hint = gettext('To stop these notices, reply "stop" or open: %(url)s') % {"url": ""}
    assert all(stop_hint.strip() in text for text in notices)
    assert mail.outbox == []  # a Telegram follower gets no e-mail


def test_replying_stop_ends_the_notices(
    follower, project, world, channels, post_webhook, django_capture_on_commit_callbacks
):
    post_webhook("telegram", update(510, text="Стоп"))
    assert not Follow.objects.exists() and not Draft.objects.exists()
    with translation.override("ru"):
        assert _chat_texts(channels)[-1] == gettext("You will get no more notices about projects.")
    before = len(_chat_texts(channels))
    _milestone(project, world, django_capture_on_commit_callbacks)
    assert len(_chat_texts(channels)) == before


def test_stop_from_a_chat_that_follows_nothing_is_ordinary_text(channels, post_webhook):
    post_webhook("telegram", update(520, chat_id=7770002, text="стоп"))
    assert Draft.objects.exists()
