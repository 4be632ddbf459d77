"""A department officer works through the project comments waiting for a moderator, on a phone in
Kazakh: the queue is clean under axe, also with a refused form; hides one with a reason and
publishes the other."""

import pytest
from django.utils import timezone

from projects import comments
from projects.models import Comment, Commenter
from tests.e2e.axe import axe_available, axe_describe, axe_run
from tests.projects.visit_factories import visit_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base: str, username: str, landing: str) -> None:
    page.goto(f"{base}/accounts/login/?next={landing}")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _waiting(project, text: str, name: str) -> Comment:
    commenter = Commenter.objects.create(
        email=f"{name}@example.kz",
        email_index=f"index-{name}",
        display_name=name,
        confirmed_at=timezone.now(),
    )
    return comments.comment_post(project, commenter, text)


def test_an_officer_hides_and_publishes_waiting_comments_on_a_phone(
    new_page, live_server, world, screenshots
):
    project = visit_project(world, code="yard-queue")
    spam = _waiting(project, "Дешёвые кредиты здесь", "Spam")
    question = _waiting(project, "Когда поставят скамейки?", "Айгүл")

    page = new_page("kk-KZ")
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server.url, "officer", landing="/staff/projects/comments/")
    page.wait_for_selector(f"#comment-{question.pk}")
    assert "Spam@example.kz" not in page.content()
    axe_available()
    assert axe_describe("moderation queue", axe_run(page)) == []
    screenshots(page, "moderation-queue")

    hide = f"#comment-{spam.pk} button[value=hide]"
    page.click(hide)
    page.wait_for_selector(f"#comment-{spam.pk} .errors")
    assert axe_describe("moderation queue, refused", axe_run(page)) == []
    spam.refresh_from_db()
    assert spam.status == Comment.Status.PENDING

    page.fill(f"#reason-{spam.pk}", "Жарнама")
    page.click(hide)
    page.wait_for_selector(".message.success")
    page.click(f"#comment-{question.pk} button[value=publish]")
    page.wait_for_selector(".moderation-queue", state="detached")
    screenshots(page, "moderation-queue-done")

    spam.refresh_from_db()
    question.refresh_from_db()
    assert (spam.status, spam.hidden_reason) == ("hidden", "Жарнама")
    assert (question.status, question.moderated_by) == ("published", world.officer)
