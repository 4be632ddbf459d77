import pytest
from django.urls import reverse

from casework.models import CaseEvent
from tests.factories import image_upload
from workflows.queues import active_task_of

pytestmark = pytest.mark.django_db


def page(client, user, url, **kwargs):
    client.force_login(user)
    response = client.get(url, **kwargs)
    return response, response.content.decode()


def test_each_staff_page_renders_for_its_roles(client, world):
    case = world.advance(world.case(), "contractor_notified")
    triage = world.case()
    for user in (world.clerk, world.officer, world.inspector, world.contractor_user,
                 world.investigator, world.manager):  # fmt: skip
        for name in ("inbox", "queue", "archive", "cases"):
            response, _ = page(client, user, reverse(f"workflows:{name}"))
            assert response.status_code == 200, (user, name)
        response, html = page(client, user, reverse("workflows:case", args=[case.pk]))
        assert response.status_code == 200, user
        assert case.tracking_code in html
    response, html = page(client, world.clerk, reverse("workflows:queue"))
    assert triage.tracking_code in html


def test_clerk_takes_the_triage_task_and_routes_the_case(client, world):
    case = world.case()
    task = active_task_of(case)
    client.force_login(world.clerk)
    response = client.post(reverse("workflows:task-claim", args=[task.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("workflows:task", args=[task.pk])
    html = client.get(response["Location"]).content.decode()
    assert 'name="department"' in html and 'value="reject"' in html
    response = client.post(
        reverse("workflows:task", args=[task.pk]),
        {"action": "assign", "department": world.dep_a1.pk, "version": case.event_seq},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.state == "assigned" and case.department == world.dep_a1
    html = client.get(reverse("workflows:archive")).content.decode()
    assert case.tracking_code in html


def test_contractor_reports_the_repair_with_photos_from_the_task_page(client, world):
    case = world.advance(world.case(), "contractor_notified")
    task = active_task_of(case)
    client.force_login(world.contractor_user)
    client.post(reverse("workflows:task-claim", args=[task.pk]))
    response = client.post(
        reverse("workflows:task", args=[task.pk]),
        {
            "action": "report_repaired",
            "before": [image_upload("b1.jpg"), image_upload("b2.jpg")],
            "after": [image_upload("a.png", "PNG")],
            "note": "Готово",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.state == "repaired"
    assert case.attachments.filter(kind="before").count() == 2


def test_case_page_shows_timeline_with_diffs_deadlines_and_photos(client, world):
    case = world.advance(world.case(), "repaired")
    response, html = page(client, world.inspector, reverse("workflows:case", args=[case.pk]))
    assert "Repair reported" in html or "Ремонт" in html
    assert html.count('class="entry') == CaseEvent.objects.filter(case=case).count()
    assert "deadline" in html
    photo = case.attachments.first()
    assert reverse("workflows:attachment", args=[case.pk, photo.pk]) in html
    response = client.get(reverse("workflows:attachment", args=[case.pk, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("image/")
