"""Every role of the test world, in scope and out of scope, against the officials' and
contractors' pages. Investigators and managers see the officials and contractors of their
region; every other role gets 404 (the pages do not exist for them); contractors never see
them; nobody signed in is sent to log in."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.oversight.conftest import accepted

pytestmark = pytest.mark.django_db

EVERYONE = [
    "clerk",
    "officer",
    "officer2",
    "inspector",
    "contractor",
    "investigator",
    "manager",
    "clerk_a2",
    "officer_build",
    "inspector_a2",
    "other_contractor",
    "investigator_b",
    "manager_b",
    "root",
]
REGION_A = {"investigator", "manager"}
REGION_B = {"investigator_b", "manager_b"}


def expected(username: str, target: str) -> int:
    if username == "root":
        return 200
    if target in ("officials", "contractors"):  # the lists: each region's own people
        return 200 if username in REGION_A | REGION_B else 404
    if target in ("inspector", "other_contractor"):  # of region A only
        return 200 if username in REGION_A else 404
    if target == "contractor":  # contracts in region A and in region B
        return 200 if username in REGION_A | REGION_B else 404
    raise AssertionError(target)


@pytest.fixture
def urls(world, posts):
    accepted(world)
    get_user_model().objects.create_superuser("root", "root@example.kz", "pw-root")
    return {
        "officials": reverse("oversight:officials"),
        "contractors": reverse("oversight:contractors"),
        "inspector": reverse("oversight:official", args=[posts.inspector.pk]),
        "contractor": reverse("oversight:contractor", args=[world.contractor.pk]),
        "other_contractor": reverse("oversight:contractor", args=[world.other_contractor.pk]),
    }


def test_the_matrix_of_roles_scopes_and_pages(client, world, urls):
    users = get_user_model().objects.in_bulk(field_name="username")
    outcomes, wanted = {}, {}
    for username in EVERYONE:
        client.force_login(users[username])
        for target, url in urls.items():
            outcomes[(username, target)] = client.get(url).status_code
            wanted[(username, target)] = expected(username, target)
    assert outcomes == wanted


def test_nobody_signed_in_is_sent_to_log_in(client, urls):
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_person_or_contractor_is_404_even_for_an_investigator(client, world):
    client.force_login(world.investigator)
    assert client.get(reverse("oversight:official", args=[999999])).status_code == 404
    assert client.get(reverse("oversight:contractor", args=[999999])).status_code == 404


@pytest.mark.parametrize("username", ["investigator", "manager"])
def test_the_menu_leads_investigators_and_managers_to_the_officials(client, world, username):
    client.force_login(world.users[username])
    html = client.get(reverse("workflows:cases")).content.decode()
    assert f'href="{reverse("oversight:officials")}"' in html


@pytest.mark.parametrize("username", ["clerk", "officer", "inspector"])
def test_the_menu_does_not_offer_the_officials_to_others(client, world, username):
    client.force_login(world.users[username])
    html = client.get(reverse("workflows:cases")).content.decode()
    assert reverse("oversight:officials") not in html
