"""The investigator's red-flag queue page: only investigators, only their region's hits, filters,
and a dismiss form that needs a reason."""

import datetime as dt

import pytest
from django.urls import reverse

from casework import services
from oversight.models import RedFlagHit
from tests.oversight.conftest import accepted, deliver_all

pytestmark = pytest.mark.django_db

QUEUE = reverse("red_flags:queue")


@pytest.fixture
def hit(world, posts):
    case = world.advance(world.case(), "assigned")
    for _ in range(2):
        case.refresh_from_db()
        services.case_extend_deadline(
            case,
            actor=world.officer,
            new_due_at=case.due_at + dt.timedelta(days=1),
            decision="Нужна экспертиза покрытия",
        )
    deliver_all()
    return RedFlagHit.objects.get(indicator="deadline_extended_twice")


def test_an_investigator_sees_the_regions_hits_by_name(client, world, hit):
    client.force_login(world.investigator)
    response = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="hit-{hit.pk}"' in html and hit.subject_name in html
    assert "Deadline extended more than once" in html


def test_the_filters_narrow_the_page(client, world, hit):
    client.force_login(world.investigator)
    response = client.get(QUEUE, {"indicator": "rubber_stamp"})
    assert f'id="hit-{hit.pk}"' not in response.content.decode()
    response = client.get(QUEUE, {"district": world.a1.pk, "min_money": "0"})
    assert f'id="hit-{hit.pk}"' in response.content.decode()
    assert client.get(QUEUE, {"since": "not a date"}).status_code == 400


def test_other_regions_and_other_roles_see_nothing(client, world, hit):
    client.force_login(world.investigator_b)
    response = client.get(QUEUE)
    assert response.status_code == 200 and f'id="hit-{hit.pk}"' not in response.content.decode()
    for user in (world.manager, world.officer, world.contractor_user):
        client.force_login(user)
        assert client.get(QUEUE).status_code == 403
    client.logout()
    assert client.get(QUEUE).status_code == 302  # to the login page


def test_dismissing_from_the_page_needs_a_reason(client, world, hit):
    client.force_login(world.investigator)
    url = reverse("red_flags:dismiss", args=[hit.pk])
    response = client.post(url, {"reason": "  "}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Say why" in response.content.decode()
    hit.refresh_from_db()
    assert hit.status == RedFlagHit.Status.OPEN
    response = client.post(url, {"reason": "Продление согласовано прокуратурой"})
    assert response.status_code == 302
    hit.refresh_from_db()
    assert hit.status == RedFlagHit.Status.DISMISSED and hit.dismissed_by == world.investigator


def test_a_hit_of_another_region_is_not_found(client, world, hit):
    client.force_login(world.investigator_b)
    response = client.post(reverse("red_flags:dismiss", args=[hit.pk]), {"reason": "Чужой"})
    assert response.status_code == 404
    hit.refresh_from_db()
    assert hit.status == RedFlagHit.Status.OPEN
    assert client.get(reverse("red_flags:dismiss", args=[hit.pk])).status_code == 405


def test_the_officials_and_the_contractors_pages_list_their_hits(client, world, posts):
    accepted(world)  # a rubber stamp: the inspector's and the contractor's
    deliver_all()
    client.force_login(world.investigator)
    for url in (
        reverse("oversight:official", args=[posts.inspector.pk]),
        reverse("oversight:contractor", args=[world.contractor.pk]),
    ):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        flags = html.split('id="section-red-flags"')[1].split("</section>")[0]
        assert "Accepted without inspection" in flags and "48,500.00" in flags
    client.force_login(world.investigator_b)
    html = client.get(reverse("oversight:contractor", args=[world.contractor.pk])).content.decode()
    assert "Accepted without inspection" not in html
