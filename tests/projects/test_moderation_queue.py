"""The staff moderation queue of project comments (/staff/projects/comments/)."""

import re
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oversight.models import Occupancy, Person, Position
from projects import comments
from projects.models import Comment, Commenter
from tests.factories import World
from tests.projects.visit_factories import visit_project

pytestmark = pytest.mark.django_db

QUEUE = "/staff/projects/comments/"


def _commenter(name: str, email: str) -> Commenter:
    return Commenter.objects.create(
        email=email, email_index=f"index-{email}", display_name=name, confirmed_at=timezone.now()
    )


def _waiting(project, text: str, name: str = "Айгүл С.", email: str = "aigul@example.kz"):
    commenter = Commenter.objects.filter(display_name=name).first() or _commenter(name, email)
    return comments.comment_post(project, commenter, text)


def _login(client, user, language: str = "en"):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def _seen(html: str, comment: Comment) -> str:
    """The `seen` value of the comment's form, as the page gave it."""
    found = re.search(
        rf'comments/{comment.pk}/moderate/[^"]*"[^>]*>.*?name="seen" value="([^"]+)"', html, re.S
    )
    return found.group(1)


@pytest.fixture
def yard(world):
    return visit_project(world)  # region A, department dep_a1


@pytest.fixture
def other_department(world):
    return visit_project(world, code="school-3", department=world.dep_a1_build)


def test_an_officer_sees_only_the_waiting_comments_of_their_department(
    client, world, yard, other_department
):
    mine = _waiting(yard, "Когда закончат двор?")
    _waiting(other_department, "Школа без крыши", name="Ерлан", email="erlan@example.kz")
    html = _login(client, world.officer).get(QUEUE).content.decode()
    assert "Когда закончат двор?" in html and "Школа без крыши" not in html
    assert "Айгүл С." in html and "aigul@example.kz" not in html
    assert yard.code in html and "waiting" in html
    assert f"comments/{mine.pk}/moderate/" in html
    # The region's manager moderates both, oldest first; the menu counts them.
    html = _login(client, world.manager).get(QUEUE).content.decode()
    assert html.index("Когда закончат двор?") < html.index("Школа без крыши")
    assert re.search(r'Comments <span class="count">2</span>', html)
    html = client.get("/staff/projects/").content.decode()
    assert "2 comments wait for a moderator" in html


def test_a_manager_of_another_region_sees_none_and_cannot_act(client, world, yard):
    comment = _waiting(yard, "Когда закончат двор?")
    client = _login(client, world.manager_b)
    html = client.get(QUEUE).content.decode()
    assert "Когда закончат двор?" not in html
    assert "No comments are waiting for a moderator." in html
    url = f"{QUEUE}{comment.pk}/moderate/"
    assert client.post(url, {"action": "publish", "seen": "x"}).status_code == 404
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_anonymous_goes_to_the_login_and_a_clerk_is_refused(client, world, yard):
    comment = _waiting(yard, "Когда закончат двор?")
    response = client.get(QUEUE)
    assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(f"{QUEUE}{comment.pk}/moderate/", {"action": "publish"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert _login(client, world.clerk).get(QUEUE).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_publishing_from_the_queue_is_audited_and_later_comments_publish_at_once(
    client, world, yard
):
    comment = _waiting(yard, "Когда закончат двор?")
    client = _login(client, world.officer)
    seen = _seen(client.get(QUEUE).content.decode(), comment)
    response = client.post(f"{QUEUE}{comment.pk}/moderate/", {"action": "publish", "seen": seen})
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?status=pending"
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == ("published", world.officer)
    latest = comment.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("published", world.officer)
    assert "Когда закончат двор?" not in client.get(QUEUE).content.decode()
    assert "Когда закончат двор?" in client.get(QUEUE, {"status": "published"}).content.decode()
    later = _waiting(yard, "Спасибо!")
    assert later.status == Comment.Status.PUBLISHED


def test_hiding_keeps_the_reason_in_the_comment_and_its_history(client, world, yard):
    comment = _waiting(yard, "Реклама казино")
    client = _login(client, world.manager)
    seen = _seen(client.get(QUEUE).content.decode(), comment)
    response = client.post(
        f"{QUEUE}{comment.pk}/moderate/", {"action": "hide", "reason": "Реклама", "seen": seen}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.hidden_reason) == ("hidden", "Реклама")
    latest = comment.history.first()
    assert (latest.status, latest.hidden_reason, latest.history_user) == (
        "hidden",
        "Реклама",
        world.manager,
    )
    html = client.get(QUEUE, {"status": "hidden"}).content.decode()
    assert "Реклама казино" in html and "Реклама" in html


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Say why the comment is hidden."),
        ("ru", "Укажите, почему комментарий скрыт."),
        ("kk", "Пікірдің неге жасырылғанын көрсетіңіз."),
    ],
)
def test_hiding_without_a_reason_is_refused_in_the_users_language(
    client, world, yard, language, message
):
    comment = _waiting(yard, "Реклама казино")
    client = _login(client, world.officer, language)
    seen = _seen(client.get(QUEUE).content.decode(), comment)
    history = comment.history.count()
    response = client.post(
        f"{QUEUE}{comment.pk}/moderate/", {"action": "hide", "reason": "  ", "seen": seen}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    comment.refresh_from_db()
    assert (comment.status, comment.history.count()) == ("pending", history)


def test_an_official_reply_from_the_queue_carries_the_post_held_today(client, world, yard):
    comment = _waiting(yard, "Когда закончат двор?")
    person = Person.objects.create(full_name="Ерлан Officer", user=world.officer)
    position = Position.objects.create(
        kind=Position.Kind.OFFICER,
        title_kk="Жол бөлімінің маманы",
        title_ru="Специалист отдела дорог",
        title_en="Roads officer",
        region=world.region_a,
        district=world.a1,
        department=world.dep_a1,
    )
    Occupancy.objects.create(person=person, position=position, started_on="2020-01-01")
    client = _login(client, world.officer)
    html = client.get(QUEUE).content.decode()
    assert "Your replies are marked with your post today: Roads officer." in html
    response = client.post(
        f"{QUEUE}{comment.pk}/reply/", {"text": "Закончим в мае.", "seen": _seen(html, comment)}
    )
    assert response.status_code == 302
    reply = Comment.objects.get(reply_to=comment)
    assert (reply.status, reply.official, reply.official_occupancy.position) == (
        "published",
        world.officer,
        position,
    )
    html = client.get(QUEUE).content.decode()
    assert "Закончим в мае." in html and "Roads officer" in html


def test_a_comment_another_moderator_handled_meanwhile_is_left_as_it_is(client, world, yard):
    comment = _waiting(yard, "Когда закончат двор?")
    stale = _seen(_login(client, world.officer).get(QUEUE).content.decode(), comment)
    comments.comment_publish(comment.pk, actor=world.officer2, seen=stale)
    history = comment.history.count()
    for data in (
        {"action": "hide", "reason": "Оффтоп", "seen": stale},
        {"action": "publish", "seen": stale},
    ):
        response = client.post(f"{QUEUE}{comment.pk}/moderate/", data)
        assert response.status_code == 409
        assert "officer2 has already published this comment." in response.content.decode()
    response = client.post(f"{QUEUE}{comment.pk}/reply/", {"text": "Ответ", "seen": stale})
    assert response.status_code == 409
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == ("published", world.officer2)
    assert comment.history.count() == history
    assert not Comment.objects.filter(reply_to=comment).exists()


def test_the_queue_is_paged_oldest_first_and_refuses_an_unknown_filter(client, world, yard):
    commenter = _commenter("Айгүл С.", "aigul@example.kz")
    Comment.objects.bulk_create(
        Comment(project=yard, commenter=commenter, display_name="Айгүл С.", text=f"Вопрос {n:02d}")
        for n in range(26)
    )
    client = _login(client, world.officer)
    first = client.get(QUEUE).content.decode()
    assert "Вопрос 00" in first and "Вопрос 24" in first and "Вопрос 25" not in first
    assert "Вопрос 25" in client.get(QUEUE, {"page": "2"}).content.decode()
    response = client.get(QUEUE, {"status": "deleted"})
    assert response.status_code == 400
    assert "Choose waiting, published or hidden comments." in response.content.decode()


def test_the_queue_costs_the_same_queries_for_one_comment_or_many(client, world, yard):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE, {"status": "published"}).status_code == 200
        return len(captured)

    client = _login(client, world.manager)
    for n in range(2):
        comment = _waiting(yard, f"Вопрос {n}", name=f"Гость {n}", email=f"g{n}@example.kz")
        comments.comment_publish(comment.pk, actor=world.officer)
        comments.comment_reply_official(comment.pk, actor=world.officer, text="Ответ")
        if n == 0:
            client.get(QUEUE)  # the first visit warms the session and the content types
            few = queries()
    assert queries() == few


@pytest.mark.django_db(transaction=True)
def test_two_moderators_acting_at_once_on_one_comment_one_wins(requires_postgres):
    """On PostgreSQL, real concurrent transactions: the row lock makes the second see the
    first's change and write nothing."""
    world = World()
    project = visit_project(world)
    for round_ in range(10):
        commenter = _commenter(f"Гость {round_}", f"guest{round_}@example.kz")
        comment = comments.comment_post(project, commenter, f"Вопрос {round_}")
        seen = comments.comment_seen(comment, 0)
        attempts = [
            lambda: comments.comment_publish(comment.pk, actor=world.officer, seen=seen),
            lambda: comments.comment_hide(
                comment.pk, actor=world.manager, reason="Спам", seen=seen
            ),
        ] * 2
        outcomes = _race(attempts)
        assert Counter(outcomes) == {"won": 1, "changed": 3}, outcomes
        assert comment.history.count() == 2  # written, then the one moderation


def _race(attempts) -> list:
    barrier = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)

    def run(index, attempt):
        try:
            barrier.wait(timeout=10)
            attempt()
            outcomes[index] = "won"
        except comments.CommentChanged:
            outcomes[index] = "changed"
        except Exception as error:  # anything else is a bug the test must show
            outcomes[index] = f"error: {type(error).__name__}: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
