import re

import pytest
from django.core import mail
from django.urls import reverse

from oversight.models import Occupancy, Person, Position
from projects.models import Comment, Commenter, EmailCode
from tests.projects.visit_factories import own_rate_limit_counters, visit_project  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """The messages are checked in the catalog's own language."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def project(world):
    return visit_project(world)


def _url(project, name):
    return reverse(f"projects:{name}", args=[project.code])


def _code_from_mail() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def _confirmed(client, project, django_capture_on_commit_callbacks, email="aigul@example.kz"):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(project, "email_code"), {"email": email})
    assert response.status_code == 302
    code = _code_from_mail()
    response = client.post(
        _url(project, "email_confirm"), {"code": code, "display_name": "Айгүл С."}
    )
    assert response.status_code == 302
    return Commenter.objects.get()


def test_a_citizen_confirms_an_address_with_a_code_and_comments(
    client, project, django_capture_on_commit_callbacks
):
    commenter = _confirmed(client, project, django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["aigul@example.kz"]
    assert commenter.email == "aigul@example.kz"
    response = client.post(_url(project, "comment_new"), {"text": "Когда закончат двор?"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.display_name == "Айгүл С."
    page = client.get(_url(project, "visit")).content.decode()
    assert "Когда закончат двор?" in page  # the writer sees their own waiting comment
    assert "aigul@example.kz" not in page


def test_a_first_comment_waits_and_is_not_public(
    client, project, django_capture_on_commit_callbacks
):
    _confirmed(client, project, django_capture_on_commit_callbacks)
    client.post(_url(project, "comment_new"), {"text": "Первый комментарий"})
    from django.test import Client

    assert "Первый комментарий" not in Client().get(_url(project, "visit")).content.decode()


def test_once_published_later_comments_are_published_at_once(
    client, project, world, django_capture_on_commit_callbacks
):
    _confirmed(client, project, django_capture_on_commit_callbacks)
    client.post(_url(project, "comment_new"), {"text": "Первый"})
    first = Comment.objects.get()
    manager = world.manager
    staff = __import__("django.test", fromlist=["Client"]).Client()
    staff.force_login(manager)
    response = staff.post(
        reverse("projects:comment_moderate", args=[project.code, first.pk]), {"action": "publish"}
    )
    assert response.status_code == 302
    client.post(_url(project, "comment_new"), {"text": "Второй"})
    statuses = list(Comment.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["published", "published"]


def test_a_wrong_code_is_refused_and_makes_no_commenter(
    client, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(project, "email_code"), {"email": "a@example.kz"})
    right = _code_from_mail()
    wrong = "000000" if right != "000000" else "111111"
    response = client.post(_url(project, "email_confirm"), {"code": wrong, "display_name": "A"})
    assert response.status_code == 400
    assert "This code is not right." in response.content.decode()
    assert not Commenter.objects.exists()
    assert EmailCode.objects.get().attempts == 1


def test_five_wrong_codes_spend_the_code(client, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(project, "email_code"), {"email": "a@example.kz"})
    right = _code_from_mail()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        client.post(_url(project, "email_confirm"), {"code": wrong, "display_name": "A"})
    response = client.post(_url(project, "email_confirm"), {"code": right, "display_name": "A"})
    assert response.status_code == 400
    assert not Commenter.objects.exists()


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"code": "12ab", "display_name": "A"}, "six digits"),
        ({"code": "123456", "display_name": ""}, "Choose the name"),
        ({"code": "123456", "display_name": "me@example.kz"}, "e-mail address as your name"),
        ({"code": "123456", "display_name": "x" * 61}, "At most 60"),
    ],
)
def test_bad_confirmation_input_is_400_with_the_field_message(client, project, data, field_message):
    response = client.post(_url(project, "email_confirm"), data)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Commenter.objects.exists()


def test_a_bad_address_gets_no_code(client, project):
    response = client.post(_url(project, "email_code"), {"email": "not-an-address"})
    assert response.status_code == 400
    assert "Enter a valid e-mail address." in response.content.decode()
    assert not EmailCode.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_too_long_comment_is_refused(
    client, project, text, django_capture_on_commit_callbacks
):
    _confirmed(client, project, django_capture_on_commit_callbacks)
    response = client.post(_url(project, "comment_new"), {"text": text})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_commenting_without_a_confirmed_address_is_403(client, project):
    response = client.post(_url(project, "comment_new"), {"text": "Привет"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_an_unknown_project_is_404(client):
    assert client.get("/projects/no-such/visit/").status_code == 404
    assert client.post("/projects/no-such/visit/email/", {"email": "a@b.kz"}).status_code == 404


def test_code_requests_are_rate_limited(client, project, settings):
    settings.PROJECT_COMMENT_RATES = {"projects.email_code": "2/h"}
    for _ in range(2):
        assert client.post(_url(project, "email_code"), {"email": "a@b.kz"}).status_code == 302
    response = client.post(_url(project, "email_code"), {"email": "a@b.kz"})
    assert response.status_code == 429
    assert EmailCode.objects.count() == 2


def _written(client, project, django_capture_on_commit_callbacks, text="Грязь на тротуаре"):
    _confirmed(client, project, django_capture_on_commit_callbacks)
    client.post(_url(project, "comment_new"), {"text": text})
    return Comment.objects.get()


def test_a_moderator_hides_a_comment_with_a_reason_kept_in_history(
    client, project, world, django_capture_on_commit_callbacks
):
    comment = _written(client, project, django_capture_on_commit_callbacks)
    client.force_login(world.officer)
    url = reverse("projects:comment_moderate", args=[project.code, comment.pk])
    assert client.post(url, {"action": "hide", "reason": ""}).status_code == 400
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert client.post(url, {"action": "hide", "reason": "Оскорбления"}).status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.hidden_reason) == ("hidden", "Оскорбления")
    assert comment.moderated_by == world.officer
    latest = comment.history.first()
    assert (latest.status, latest.hidden_reason, latest.history_user) == (
        "hidden",
        "Оскорбления",
        world.officer,
    )


@pytest.mark.parametrize("who", ["contractor_user", "inspector", "officer_build", None])
def test_only_the_projects_managers_and_officers_moderate(
    client, project, world, who, django_capture_on_commit_callbacks
):
    comment = _written(client, project, django_capture_on_commit_callbacks)
    client.logout()
    if who:
        client.force_login(getattr(world, who))
    url = reverse("projects:comment_moderate", args=[project.code, comment.pk])
    assert client.post(url, {"action": "publish"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_an_official_reply_is_marked_with_the_officials_post(
    client, project, world, django_capture_on_commit_callbacks
):
    comment = _written(client, project, django_capture_on_commit_callbacks)
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
    client.force_login(world.officer)
    url = reverse("projects:comment_reply", args=[project.code, comment.pk])
    assert client.post(url, {"text": "Работы закончим в мае."}).status_code == 302
    reply = Comment.objects.get(reply_to=comment)
    assert reply.status == Comment.Status.PUBLISHED
    assert reply.official_occupancy.position == position
    from django.test import Client

    page = Client().get(_url(project, "visit")).content.decode()
    assert "Работы закончим в мае." in page
    assert "Roads officer" in page  # the post, in the page's language


def test_an_empty_official_reply_is_refused(
    client, project, world, django_capture_on_commit_callbacks
):
    comment = _written(client, project, django_capture_on_commit_callbacks)
    client.force_login(world.manager)
    url = reverse("projects:comment_reply", args=[project.code, comment.pk])
    assert client.post(url, {"text": "  "}).status_code == 400
    assert Comment.objects.count() == 1


def test_one_address_gets_at_most_five_codes_an_hour(client, project, settings):
    settings.PROJECT_COMMENT_RATES = {"projects.email_code": "100/h"}
    for _ in range(5):
        assert (
            client.post(_url(project, "email_code"), {"email": "v@example.kz"}).status_code == 302
        )
    response = client.post(_url(project, "email_code"), {"email": "V@example.kz "})
    assert response.status_code == 400
    assert "Too many codes were sent to this address" in response.content.decode()
    assert EmailCode.objects.count() == 5
