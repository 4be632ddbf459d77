"""People by name and post on the staff case page and in the dossier; what a contractor sees of
an act."""

import pytest
from django.urls import reverse
from django.utils import translation

from casework import services
from oversight.selectors import acts_visible_to
from reports.dossier import dossier_context
from tests.oversight.conftest import accepted, deliver_all

pytestmark = pytest.mark.django_db

INSPECTOR = "Марат Тілеуов, Inspector (ru)"


@pytest.fixture
def failed(world, posts):
    case, act = accepted(world)
    services.case_reopen(case, actor=world.officer, reason="Ямы вернулись", kind="warranty_defect")
    deliver_all()
    return case, act


def page(client, user, case):
    client.force_login(user)
    return client.get(reverse("workflows:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="ru")


def test_staff_see_the_act_its_signatories_by_name_and_post_and_its_failures(client, world, failed):
    case, act = failed
    response = page(client, world.investigator, case)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"№ {act.number}" in html and act.content_sha256 in html
    assert INSPECTOR in html  # the signatory, and who accepted in the timeline
    assert "Гүлнар Омарова, Head of roads (ru)" in html
    assert "Ерлан Жұмабаев, Site foreman (ru)" in html
    assert 'class="failures"' in html
    assert f"/users/{world.inspector.pk}" not in html


def test_a_contractor_sees_what_the_act_says_but_not_its_signatories_posts_or_failures(
    client, world, failed
):
    case, act = failed
    response = page(client, world.contractor_user, case)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"№ {act.number}" in html and "48" in html
    assert 'class="signatories"' not in html
    assert 'class="failures"' not in html
    assert "Warranty claim" not in html and "Case reopened after acceptance" not in html


def test_another_contractor_does_not_see_the_case_at_all(client, world, failed):
    case, _act = failed
    assert page(client, world.other_contractor_user, case).status_code == 404


def test_the_dossier_names_who_accepted_the_failed_repair_by_name_and_post(world, failed):
    case, act = failed
    with translation.override("en"):
        context = dossier_context(case, complainant=None)
    reopen = next(row for row in context["events"] if row["action"] == "reopen")
    details = dict(reopen["details"])
    assert details["Repair had been accepted by"] == "Марат Тілеуов, Inspector"
    assert details["Work order had been issued by"] == "Гүлнар Омарова, Head of roads"
    signed = next(row for row in context["events"] if row["action"] == "act_signed")
    assert dict(signed["details"])["SHA-256 of the act"] == act.content_sha256
    assert signed["actor"] == "Марат Тілеуов, Inspector"


def test_acts_are_visible_only_within_the_readers_scope(world, failed):
    _case, act = failed
    assert list(acts_visible_to(world.investigator)) == [act]
    assert list(acts_visible_to(world.contractor_user)) == [act]
    assert not acts_visible_to(world.other_contractor_user).exists()
    assert not acts_visible_to(world.investigator_b).exists()
    assert not acts_visible_to(world.inspector_a2).exists()
