"""Who may learn who complained: the reveal rules of `complainant_reveal`, for both kinds of
complaint, through the service, the API and the staff page."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from casework import services
from casework.models import CaseEvent

REASON = "Перезвонить заявителю и уточнить номер дома"

# Users of the test world, by name: in scope of a case in district A1 assigned to dep_a1, or not.
ORDINARY = {
    "clerk": True,
    "officer": True,
    "investigator": True,
    "investigator_b": False,
    "clerk_a2": False,
    "officer_build": False,
    "inspector": False,
    "manager": False,
    "contractor": False,
}
CORRUPTION = {**{name: False for name in ORDINARY}, "investigator": True}


def reveals(case) -> int:
    return CaseEvent.objects.filter(case=case, action="complainant_revealed").count()


@pytest.mark.parametrize("username", list(ORDINARY))
def test_an_ordinary_complainant_is_revealed_to_the_roles_that_call_back(world, username):
    case = world.advance(world.case(), "assigned")
    user = world.users[username]
    if ORDINARY[username]:
        data = services.complainant_reveal(case, actor=user, reason=REASON)
        assert data["phone"] == "+77011234567"
        event = CaseEvent.objects.get(case=case, action="complainant_revealed")
        assert event.actor == user and event.reason == REASON
    else:
        with pytest.raises(PermissionDenied):
            services.complainant_reveal(case, actor=user, reason=REASON)
        assert reveals(case) == 0


@pytest.mark.parametrize("username", list(CORRUPTION))
def test_a_corruption_reporter_is_revealed_to_the_regions_investigators_only(world, username):
    case = world.advance(world.case(category=world.corruption), "under_review")
    user = world.users[username]
    if CORRUPTION[username]:
        data = services.complainant_reveal(case, actor=user, reason=REASON)
        assert data["name"] == "Айгүл Сейтқали"
        assert reveals(case) == 1
    else:
        with pytest.raises(PermissionDenied) as refused:
            services.complainant_reveal(case, actor=user, reason=REASON)
        assert "424" in str(refused.value)
        assert reveals(case) == 0


@pytest.mark.parametrize(
    "reason", [".", "asdf", "  ", "asdf asdf asdf asdf asdf", "Надо. 12345678901234"]
)
def test_a_reveal_needs_a_real_sentence_as_its_reason(world, reason):
    case = world.advance(world.case(), "assigned")
    with pytest.raises(ValidationError) as refused:
        services.complainant_reveal(case, actor=world.clerk, reason=reason)
    assert "reason" in refused.value.message_dict
    assert reveals(case) == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Article 424"),
        ("ru", "статья 424"),
        ("kk", "424-бабы"),
    ],
)
def test_refusals_speak_the_users_language(world, language, expected):
    corruption = world.advance(world.case(category=world.corruption), "under_review")
    ordinary = world.advance(world.case(), "assigned")
    with translation.override(language):
        with pytest.raises(PermissionDenied) as refused:
            services.complainant_reveal(corruption, actor=world.clerk, reason=REASON)
        assert expected in str(refused.value)
        with pytest.raises(ValidationError) as short:
            services.complainant_reveal(ordinary, actor=world.clerk, reason="asdf")
    message = " ".join(short.value.messages)
    assert "20" in message
    if language != "en":
        assert "characters" not in message  # translated, not the English source


@pytest.mark.parametrize(
    # A corruption report never goes to a department: its officers do not even see it.
    ("username", "status"),
    [("clerk", 403), ("officer", 404), ("investigator", 200)],
)
def test_the_api_applies_the_corruption_rule(client, world, username, status):
    case = world.advance(world.case(category=world.corruption), "under_review")
    client.force_login(world.users[username])
    response = client.post(
        f"/api/v1/cases/{case.pk}/complainant/",
        data=json.dumps({"reason": REASON}),
        content_type="application/json",
    )
    assert response.status_code == status
    assert reveals(case) == (1 if status == 200 else 0)
    if status != 200:
        assert "+7701" not in response.content.decode()


def test_the_api_refuses_a_dot_as_the_reason(client, world):
    case = world.advance(world.case(), "assigned")
    client.force_login(world.clerk)
    response = client.post(
        f"/api/v1/cases/{case.pk}/complainant/",
        data=json.dumps({"reason": "."}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "reason" in response.json()
    assert reveals(case) == 0


def test_the_staff_page_offers_no_reveal_of_a_corruption_reporter_to_a_clerk(client, world):
    case = world.advance(world.case(category=world.corruption), "under_review")
    url = reverse("workflows:case-reveal", args=[case.pk])
    client.force_login(world.clerk)
    assert url not in client.get(reverse("workflows:case", args=[case.pk])).content.decode()
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 403 and "+7701" not in response.content.decode()
    client.force_login(world.investigator)
    assert url in client.get(reverse("workflows:case", args=[case.pk])).content.decode()
    response = client.post(url, {"reason": "asdf"})
    assert response.status_code == 400
    assert reveals(case) == 0
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 200 and "+77011234567" in response.content.decode()
    assert reveals(case) == 1
