"""Where the inspector accepts a repair or sends it back, the photos and every warning about
them come first, then the buttons; the case page offers the dossier to those who may ask."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from casework import roles
from contractors.selectors import case_evidence_flags, current_work_order
from contractors.services import work_order_report_repair
from reports.models import ReportRun
from reports.services import may_use_reports
from tests.contractors.photos import photo
from workflows import services as task_services
from workflows.queues import active_task_of
from workflows.views.cases import may_request_dossier

pytestmark = pytest.mark.django_db

SITE = (50.2839, 57.1670)  # the World's default case point


@pytest.fixture
def doubtful(world):
    """A repaired case whose photos raise every kind of warning: a "before" photo taken the day
    before the work order, an "after" photo that is the same picture, taken 2 km away, and an
    "after" photo without time or place that is another case's picture."""
    other = world.advance(world.case(latitude="50.3", longitude="57.2"), "contractor_notified")
    work_order_report_repair(
        other, actor=world.contractor_user, before=[photo(60)], after=[photo(61)]
    )
    case = world.advance(world.case(), "contractor_notified")
    issued = current_work_order(case).issued_at
    work_order_report_repair(
        case,
        actor=world.contractor_user,
        before=[photo(1, taken_at=issued - dt.timedelta(days=1), lat=SITE[0], lon=SITE[1])],
        after=[
            photo(
                1, "PNG", taken_at=issued + dt.timedelta(hours=2), lat=SITE[0] + 0.02, lon=SITE[1]
            ),
            photo(61, "WEBP"),
        ],
    )
    case.refresh_from_db()
    assert case.state == "repaired"
    return case, other


def _mine(world, case):
    task = active_task_of(case)
    task_services.tasks_claim([task.pk], actor=world.inspector)
    return task


def _section(html: str) -> str:
    return html.split('id="repair-evidence"')[1].split("</section>")[0]


def test_the_verification_task_shows_every_warning_before_the_accept_button(
    client, world, doubtful
):
    case, other = doubtful
    with translation.override("en"):
        flags = case_evidence_flags(case)
    codes = {f.code for f in flags}
    assert {"taken_before_order", "same_as_before", "far_from_site", "reused"} <= codes
    assert {"no_time", "no_location"} <= codes
    task = _mine(world, case)
    client.force_login(world.inspector)
    response = client.get(reverse("workflows:task", args=[task.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    evidence = _section(html)
    # Every flag the checks raised, each once, in the order the selector gives.
    assert evidence.count('data-flag="') == len(flags)
    for flag in flags:
        assert f'data-flag="{flag.code}" data-attachment="{flag.attachment_id}"' in evidence
        assert escape(flag.message) in evidence
    warnings = len([f for f in flags if f.severity == "warning"])
    assert f"{warnings} warnings about the repair photos" in evidence
    # The other case of the reused picture is named and linked.
    assert reverse("workflows:case", args=[other.pk]) in evidence
    # Before the buttons that decide.
    assert html.index('id="repair-evidence"') < html.index('id="action-verify"')
    assert html.index('id="repair-evidence"') < html.index('id="action-return_for_rework"')


def test_the_photos_are_thumbnails_linking_to_the_staff_photo_view(client, world, doubtful):
    case, _other = doubtful
    task = _mine(world, case)
    client.force_login(world.inspector)
    evidence = _section(client.get(reverse("workflows:task", args=[task.pk])).content.decode())
    photos = list(case.attachments.filter(kind__in=["before", "after"]))
    assert len(photos) == 3
    for attachment in photos:
        url = reverse("workflows:attachment", args=[case.pk, attachment.pk])
        assert f'<a href="{url}"' in evidence and f'<img src="{url}"' in evidence
        assert client.get(url).status_code == 200
    # The photos the warnings are about are marked, and only those.
    warned = {f.attachment_id for f in case_evidence_flags(case) if f.severity == "warning"}
    assert evidence.count('class="flagged"') == len(warned) >= 2
    for attachment_id in warned:
        assert f'<li class="flagged" data-attachment="{attachment_id}">' in evidence


def test_the_task_shows_the_evidence_before_it_is_taken_too(client, world, doubtful):
    case, _other = doubtful
    task = active_task_of(case)
    client.force_login(world.inspector)
    html = client.get(reverse("workflows:task", args=[task.pk])).content.decode()
    assert 'data-flag="taken_before_order"' in _section(html)


def test_the_verify_action_page_shows_the_warnings_above_its_form(client, world, doubtful):
    case, _other = doubtful
    client.force_login(world.inspector)
    for action in ("verify", "return_for_rework"):
        html = client.get(reverse("workflows:case-action", args=[case.pk, action])).content.decode()
        assert 'data-flag="far_from_site"' in _section(html)
        assert html.index('id="repair-evidence"') < html.index(f'id="action-{action}"')


def test_a_clean_repair_says_no_photo_raises_a_question(client, world):
    case = world.advance(world.case(), "contractor_notified")
    issued = current_work_order(case).issued_at
    later = issued + dt.timedelta(hours=1)
    work_order_report_repair(
        case,
        actor=world.contractor_user,
        before=[photo(70, taken_at=later, lat=SITE[0], lon=SITE[1])],
        after=[photo(71, taken_at=later, lat=SITE[0], lon=SITE[1])],
    )
    task = _mine(world, case)
    client.force_login(world.inspector)
    evidence = _section(
        client.get(
            reverse("workflows:task", args=[task.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    )
    assert "No photo raises a question." in evidence and 'data-flag="' not in evidence


def test_steps_that_do_not_judge_a_repair_show_no_evidence_panel(client, world):
    case = world.case()
    task = active_task_of(case)
    client.force_login(world.clerk)
    html = client.get(reverse("workflows:task", args=[task.pk])).content.decode()
    assert 'id="repair-evidence"' not in html
    html = client.get(reverse("workflows:case-action", args=[case.pk, "reject"])).content.decode()
    assert 'id="repair-evidence"' not in html


def test_the_case_page_shows_the_warnings_to_staff_but_not_to_the_contractor(
    client, world, doubtful
):
    case, _other = doubtful
    url = reverse("workflows:case", args=[case.pk])
    client.force_login(world.investigator)
    assert 'data-flag="taken_before_order"' in client.get(url).content.decode()
    client.force_login(world.contractor_user)
    html = client.get(url).content.decode()
    assert client.get(url).status_code == 200 and 'data-flag="' not in html


@pytest.mark.parametrize("username", ["investigator", "manager"])
def test_the_dossier_button_asks_for_the_cases_dossier(client, world, username):
    case = world.advance(world.case(), "assigned")
    user = world.users[username]
    client.force_login(user)
    html = client.get(reverse("workflows:case", args=[case.pk])).content.decode()
    assert 'class="dossier-button"' in html
    form = html.split('class="card dossier"')[1].split("</form>")[0]
    assert f'action="{reverse("reports:dossier")}"' in form
    assert f'name="tracking_code" value="{case.tracking_code}"' in form
    response = client.post(
        reverse("reports:dossier"),
        {"tracking_code": case.tracking_code, "language": "ru", "variant": "standard"},
    )
    run = ReportRun.objects.get(case=case, requested_by=user)
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:run", args=[run.pk]
    )


@pytest.mark.parametrize("username", ["clerk", "officer", "inspector", "contractor"])
def test_no_dossier_button_for_those_who_may_not_ask(client, world, username):
    case = world.advance(world.case(), "repaired")
    client.force_login(world.users[username])
    html = client.get(reverse("workflows:case", args=[case.pk])).content.decode()
    assert 'class="dossier-button"' not in html


def test_the_dossier_button_follows_the_reports_apps_own_rule(world):
    root = get_user_model().objects.create_superuser("root", "root@example.kz", "pw-root")
    for user in [*world.users.values(), root]:
        assert may_request_dossier(user) == may_use_reports(user), user
    assert roles.INVESTIGATOR in roles.user_roles(world.investigator)
