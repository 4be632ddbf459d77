"""A citizen confirms a phone for commenting by sending the code the project page shows to the
WhatsApp or Telegram bot, through the real webhook path (the local fake platforms)."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from casework.crypto import sender_index
from intake.models import Conversation, Draft, InboundMessage
from projects import comments
from projects.chat_codes import chat_code_issue, chat_codes_purge
from projects.models import ChatCode, ChatCodeMiss, Comment, Commenter, Follow
from tests.intake import conftest as intake_fixtures
from tests.intake.conftest import wa_text
from tests.intake.test_telegram import update
from tests.projects.visit_factories import own_rate_limit_counters, visit_project  # noqa: F401

pytestmark = pytest.mark.django_db

# intake's fixtures: the three chat channels served by the local fake platforms, and the signed
# webhook POST that runs what follows commit.
platforms = intake_fixtures.platforms
channels = intake_fixtures.channels
post_webhook = intake_fixtures.post_webhook

ACCEPTED = "The code is accepted. Go back to the project page to finish."
UNKNOWN = "This code is unknown or has expired. Ask for a new one on the project page."


@pytest.fixture
def bots(channels, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "@baqylau_bot")
    monkeypatch.setenv("WHATSAPP_PUBLIC_NUMBER", "+7 700 123 45 67")
    return channels


@pytest.fixture
def project(world):
    return visit_project(world)


def _url(project, name):
    return reverse(f"projects:{name}", args=[project.code])


def _in_russian(msgid: str) -> str:
    with translation.override("ru"):
        return gettext(msgid)


def _code_shown(browser, project) -> str:
    assert browser.post(_url(project, "chat_code")).status_code == 302
    page = browser.get(_url(project, "visit")).content.decode()
    return re.search(r"P-\d{6}", page).group(0)


def _status(browser, project) -> str:
    answer = browser.get(_url(project, "chat_code_status")).json()
    assert set(answer) == {"status"}  # nothing about the code or who sent it
    return answer["status"]


def _last_reply(bots, channel="telegram") -> str:
    sent = bots.sent_to(channel)[-1].body
    return sent["text"] if channel == "telegram" else sent["text"]["body"]


def test_the_page_shows_a_code_and_links_that_send_it_to_each_bot(bots, project):
    browser = Client()
    code = _code_shown(browser, project)
    page = browser.get(_url(project, "visit")).content.decode()
    assert f"https://t.me/baqylau_bot?start={code}" in page
    assert f"https://wa.me/77001234567?text={code}" in page
    assert _status(browser, project) == "waiting"


def test_a_channel_without_its_public_address_is_hidden(bots, project, monkeypatch):
    monkeypatch.delenv("WHATSAPP_PUBLIC_NUMBER")
    browser = Client()
    _code_shown(browser, project)
    page = browser.get(_url(project, "visit")).content.decode()
    assert "t.me/baqylau_bot" in page and "wa.me" not in page
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME")
    assert Client().post(_url(project, "chat_code")).status_code == 404
    assert 'class="chat-form"' not in Client().get(_url(project, "visit")).content.decode()


def test_a_code_sent_through_telegram_confirms_the_browser_and_it_comments(
    bots,
    project,
    post_webhook,
    world,
):
    browser = Client()
    code = _code_shown(browser, project)
    post_webhook("telegram", update(400, text=f"/start {code}"))  # the t.me deep link
    assert _last_reply(bots) == _in_russian(ACCEPTED)
    assert InboundMessage.objects.get().processed_at is not None and not Draft.objects.exists()
    assert _status(browser, project) == "received"

    response = browser.post(_url(project, "chat_confirm"), {"display_name": "Ерлан С."})
    assert response.status_code == 302
    commenter = Commenter.objects.get()
    conversation = Conversation.objects.get()
    assert (commenter.chat_channel, commenter.chat_sender_key, commenter.email) == (
        "telegram",
        conversation.sender_key,
        "",
    )
    # projects keeps intake's blind index of the sender, never the chat id or a number.
    code_row = ChatCode.objects.get()
    assert (code_row.channel, code_row.sender_key) == ("telegram", conversation.sender_key)
    assert "5551234" not in code_row.sender_key + commenter.chat_sender_key
    assert browser.post(_url(project, "comment_new"), {"text": "Когда откроют двор?"}).status_code
    first = Comment.objects.get()
    assert (first.commenter, first.status) == (commenter, Comment.Status.PENDING)
    comments.comment_publish(first.pk, actor=world.manager)

    # Later, another browser: the same chat's code makes it the same commenter, whose first
    # comment was published, so this one is published at once.
    later = Client()
    code = _code_shown(later, project)
    post_webhook("telegram", update(401, text=code))
    assert later.post(_url(project, "chat_confirm"), {"display_name": "Ерлан"}).status_code == 302
    later.post(_url(project, "comment_new"), {"text": "Спасибо, открыли."})
    assert Commenter.objects.get().display_name == "Ерлан"
    assert Comment.objects.latest("pk").status == Comment.Status.PUBLISHED


def test_a_code_typed_into_whatsapp_with_a_cyrillic_letter_confirms_but_cannot_follow(
    bots,
    project,
    post_webhook,
):
    browser = Client()
    code = _code_shown(browser, project)
    post_webhook("whatsapp", wa_text("wamid.code1", "р-" + code[2:]))  # Cyrillic "р"
    assert _last_reply(bots, "whatsapp") == _in_russian(ACCEPTED)
    assert browser.post(_url(project, "chat_confirm"), {"display_name": "Айгүл"}).status_code
    assert Commenter.objects.get().chat_channel == "whatsapp"
    page = browser.get(_url(project, "visit")).content.decode()
    assert 'id="comment-text"' in page and "/visit/follow/" not in page
    assert 'class="email-form"' in page  # to follow, an e-mail address
    assert browser.post(_url(project, "follow")).status_code == 400
    assert not Follow.objects.exists()


def test_a_wrong_code_is_refused_and_changes_nothing(bots, project, post_webhook):
    browser = Client()
    code = _code_shown(browser, project)
    wrong = "P-" + f"{(int(code[2:]) + 1) % 1_000_000:06d}"
    post_webhook("telegram", update(410, text=wrong))
    assert _last_reply(bots) == _in_russian(UNKNOWN)
    assert _status(browser, project) == "waiting"
    response = browser.post(_url(project, "chat_confirm"), {"display_name": "Ерлан"})
    assert response.status_code == 400
    assert not Commenter.objects.exists() and not Draft.objects.exists()
    assert ChatCodeMiss.objects.count() == 1


def test_an_expired_code_is_refused(bots, project, post_webhook):
    browser = Client()
    code = _code_shown(browser, project)
    ChatCode.objects.update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    post_webhook("telegram", update(420, text=code))
    assert _last_reply(bots) == _in_russian(UNKNOWN)
    assert _status(browser, project) == "expired"
    assert browser.post(_url(project, "chat_confirm"), {"display_name": "Ерлан"}).status_code == 400
    assert code not in browser.get(_url(project, "visit")).content.decode()
    assert not Commenter.objects.exists()


def test_a_code_confirms_only_the_browser_that_asked_and_only_once(
    bots,
    project,
    post_webhook,
):
    first, second = Client(), Client()
    _code_shown(first, project)
    code = _code_shown(second, project)
    post_webhook("telegram", update(430, text=code))
    # Someone else sends the same code from another chat: it stays with the first sender.
    post_webhook("telegram", update(431, chat_id=7770001, text=code))
    assert _last_reply(bots) == _in_russian(UNKNOWN)

    assert first.post(_url(project, "chat_confirm"), {"display_name": "A"}).status_code == 400
    assert second.post(_url(project, "chat_confirm"), {"display_name": "B"}).status_code == 302
    assert Commenter.objects.get().chat_sender_key == sender_index("telegram", "5551234")
    # The spent code cannot log in another browser (nor this one again).
    replay = Client()
    session = replay.session
    session["projects_chat_code"] = {"id": ChatCode.objects.get(used_at__isnull=False).pk}
    session.save()
    assert replay.post(_url(project, "chat_confirm"), {"display_name": "C"}).status_code == 400
    assert replay.post(_url(project, "comment_new"), {"text": "?"}).status_code == 403
    assert Commenter.objects.count() == 1 and Commenter.objects.get().display_name == "B"
    assert _status(first, project) == "waiting"


def test_too_many_wrong_codes_from_one_chat_refuse_even_the_right_one(
    bots,
    project,
    post_webhook,
):
    browser = Client()
    code = _code_shown(browser, project)
    for number in range(5):
        post_webhook("telegram", update(440 + number, text=f"P-{number:06d}"))
    post_webhook("telegram", update(449, text=code))
    assert _last_reply(bots) == _in_russian("Too many wrong codes. Try again in an hour.")
    assert _status(browser, project) == "waiting"


@pytest.mark.parametrize(
    "text", ["482913", "Яма у дома 482913 на Абая", "P-482913 яма во дворе", "P-48291"]
)
def test_complaint_text_with_digits_still_becomes_a_draft(
    bots,
    project,
    post_webhook,
    text,
):
    post_webhook("telegram", update(450, text=text))
    assert InboundMessage.objects.get().draft is not None
    assert not ChatCodeMiss.objects.exists()


def test_old_codes_and_miss_counts_are_purged(db):
    old, _text = chat_code_issue()
    fresh, _text = chat_code_issue()
    ChatCode.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - timezone.timedelta(days=2)
    )
    miss = ChatCodeMiss.objects.create(channel="telegram", sender_key="k")
    ChatCodeMiss.objects.filter(pk=miss.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=2)
    )
    ChatCodeMiss.objects.create(channel="telegram", sender_key="k")
    assert chat_codes_purge() == 2
    assert list(ChatCode.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert ChatCodeMiss.objects.count() == 1
