import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from projects.follows import project_followers_notify, unfollow_token
from projects.models import Commenter, Follow
from tests.projects.test_comments import _confirmed, _url
from tests.projects.visit_factories import own_rate_limit_counters, visit_project  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(world):
    return visit_project(world)


def _follower(client, project, capture) -> Follow:
    _confirmed(client, project, capture)
    assert client.post(_url(project, "follow")).status_code == 302
    return Follow.objects.get()


def test_a_confirmed_citizen_follows_and_gets_notices_with_a_stop_link(
    client, project, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://baqylau.example.kz"
    follow = _follower(client, project, django_capture_on_commit_callbacks)
    assert follow.commenter == Commenter.objects.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert project_followers_notify(project, "milestone", "Этап «Асфальт» выполнен.") == 1
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == ["aigul@example.kz"]
    assert "Этап «Асфальт» выполнен." in notice.body
    stop = "https://baqylau.example.kz" + reverse(
        "projects:unfollow", args=[unfollow_token(follow)]
    )
    assert stop in notice.body


def test_following_twice_keeps_one_follow(client, project, django_capture_on_commit_callbacks):
    _follower(client, project, django_capture_on_commit_callbacks)
    client.post(_url(project, "follow"))
    assert Follow.objects.count() == 1


def test_following_needs_a_confirmed_address(client, project):
    assert client.post(_url(project, "follow")).status_code == 403
    assert not Follow.objects.exists()


def test_the_stop_link_asks_then_stops_the_notices(
    client, project, django_capture_on_commit_callbacks
):
    follow = _follower(client, project, django_capture_on_commit_callbacks)
    url = reverse("projects:unfollow", args=[unfollow_token(follow)])
    stranger = Client()
    assert stranger.get(url).status_code == 200
    assert Follow.objects.exists()  # a GET (a mail scanner opening links) changes nothing
    assert stranger.post(url).status_code == 200
    assert not Follow.objects.exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert project_followers_notify(project, "progress", "70 %") == 0
    assert mail.outbox == []


def test_a_forged_stop_link_is_404_and_stops_nothing(
    client, project, django_capture_on_commit_callbacks
):
    _follower(client, project, django_capture_on_commit_callbacks)
    response = Client().post(reverse("projects:unfollow", args=["forged:token"]))
    assert response.status_code == 404
    assert Follow.objects.count() == 1


def test_an_official_reply_notifies_the_followers(
    client, project, world, django_capture_on_commit_callbacks
):
    _follower(client, project, django_capture_on_commit_callbacks)
    client.post(_url(project, "comment_new"), {"text": "Вопрос"})
    comment_id = project.comments.get().pk
    staff = Client()
    staff.force_login(world.manager)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            reverse("projects:comment_reply", args=[project.code, comment_id]), {"text": "Ответ"}
        )
    assert [m.to for m in mail.outbox] == [["aigul@example.kz"]]
    assert "Ответ" in mail.outbox[0].body


def test_an_unknown_notice_kind_is_refused(project):
    with pytest.raises(ValidationError):
        project_followers_notify(project, "gossip", "…")
