import pytest
from django.urls import reverse

from casework.models import Case, CaseEvent
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


def test_an_officer_extends_the_deadline_from_the_case_page_within_two_months(client, world):
    import datetime as dt

    from django.utils import timezone

    from casework.deadlines import extension_cap
    from casework.models import OutboxJob

    case = world.advance(world.case(), "assigned")
    url = reverse("workflows:case-action", args=[case.pk, "extend_deadline"])
    client.force_login(world.officer)
    html = client.get(reverse("workflows:case", args=[case.pk])).content.decode()
    assert url in html
    too_late = timezone.localtime(extension_cap(case.received_at) + dt.timedelta(days=1))
    response = client.post(
        url,
        {
            "new_due_at": too_late.strftime("%Y-%m-%dT%H:%M"),
            "decision": "Закуп материалов",
            "version": case.event_seq,
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    assert "двух месяцев" in response.content.decode()
    response = client.post(url, {"new_due_at": "", "decision": ""}, HTTP_ACCEPT_LANGUAGE="kk")
    assert response.status_code == 400 and "has-error" in response.content.decode()
    assert Case.objects.get(pk=case.pk).extension_count == 0
    later = timezone.localtime(case.due_at + dt.timedelta(days=7))
    response = client.post(
        url,
        {
            "new_due_at": later.strftime("%Y-%m-%dT%H:%M"),
            "decision": "Закуп материалов по конкурсу",
            "version": case.event_seq,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extension_count == 1
    assert OutboxJob.objects.filter(kind="citizen_notice", payload__case=case.pk).exists()


def test_a_stale_form_is_a_conflict_and_changes_nothing(client, world):
    case = world.case()
    version = case.event_seq
    from casework import services

    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    client.force_login(world.officer)
    response = client.post(
        reverse("workflows:case-action", args=[case.pk, "assign"]),
        {"department": world.dep_a1_build.pk, "reason": "Не наш", "version": version},
    )
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).department == world.dep_a1


def test_pages_speak_kazakh_and_russian(client, world):
    world.case()
    client.force_login(world.clerk)
    kazakh = client.get(reverse("workflows:queue"), HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    russian = client.get(reverse("workflows:queue"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Кезек" in kazakh and "Бөлу" in kazakh  # Queue, Triage
    assert "Очередь" in russian and "Распределение" in russian
    response = client.post("/i18n/setlang/", {"language": "kk", "next": reverse("workflows:inbox")})
    assert response.status_code == 302
    assert "Менің тапсырмаларым" in client.get(reverse("workflows:inbox")).content.decode()
    from workflows.models import StaffPreference

    assert StaffPreference.objects.get(user=world.clerk).language == "kk"


def test_each_role_gets_its_own_menu(client, world):
    def menu(user):
        client.force_login(user)
        html = client.get(reverse("workflows:cases"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        return html.split('class="staff-menu"')[1].split("</nav>")[0]

    # A contractor's people work in their portal: the menu offers it and nothing of the staff's.
    contractor = menu(world.contractor_user)
    assert "My work orders" in contractor and "Queue" not in contractor
    assert "Flagged" not in contractor
    # Investigators have a queue: the corruption reports of their region.
    assert "Queue" in menu(world.investigator) and "Flagged" in menu(world.investigator)
    assert "Queue" not in menu(world.manager) and "Cases" in menu(world.manager)
    assert "Queue" in menu(world.clerk)


def test_case_list_filters_search_and_puts_overdue_first(client, world):
    import datetime as dt

    from casework import clock
    from casework.sweep import sweep_run

    with clock.frozen_at(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)):
        old = world.case(title="Старая яма", address="улица Абая, 1")
    fresh = world.case(title="Новая яма", address="проспект Абылай хана, 7")
    closed = world.advance(world.case(title="Закрытая"), "rejected")
    client.force_login(world.investigator)
    html = client.get(reverse("workflows:cases")).content.decode()
    assert html.index(old.tracking_code) < html.index(fresh.tracking_code)
    assert closed.tracking_code not in html
    html = client.get(reverse("workflows:cases"), {"show": "closed"}).content.decode()
    assert closed.tracking_code in html and fresh.tracking_code not in html
    html = client.get(
        reverse("workflows:cases"), {"q": fresh.tracking_code.lower()}
    ).content.decode()
    assert fresh.tracking_code in html and old.tracking_code not in html
    html = client.get(reverse("workflows:cases"), {"q": "абылай"}).content.decode()
    assert fresh.tracking_code in html and old.tracking_code not in html
    sweep_run()
    html = client.get(reverse("workflows:cases"), {"show": "all", "flagged": "on"}).content.decode()
    assert old.tracking_code in html and fresh.tracking_code not in html
    response = client.get(reverse("workflows:cases"), {"show": "nonsense", "page": "0"})
    assert response.status_code == 400
    client.force_login(world.clerk_a2)
    html = client.get(reverse("workflows:cases"), {"show": "all"}).content.decode()
    assert fresh.tracking_code not in html


def test_clerk_triaging_a_complaint_near_an_open_one_sees_it_offered(client, world):
    open_one = world.advance(
        world.case(title="Яма у школы", latitude="50.283900", longitude="57.167000"), "assigned"
    )
    other_kind = world.case(
        category=world.corruption, title="Взятка", latitude="50.283900", longitude="57.167000"
    )
    far = world.case(title="Яма далеко", latitude="50.290000", longitude="57.167000")
    # About 20 m north of the open case, same category.
    new = world.case(title="Яма во дворе", latitude="50.284080", longitude="57.167000")
    response, html = page(client, world.clerk, reverse("workflows:case", args=[new.pk]))
    assert response.status_code == 200

    def offered(case):
        return f'href="{reverse("workflows:case", args=[case.pk])}"' in html

    assert offered(open_one)
    assert not offered(far) and not offered(other_kind)


def test_a_duplicate_outside_the_clerks_district_is_not_offered(client, world):
    elsewhere = world.case(district=world.a2, latitude="50.283900", longitude="57.167000")
    new = world.case(latitude="50.284080", longitude="57.167000")
    response, html = page(client, world.clerk, reverse("workflows:case", args=[new.pk]))
    assert response.status_code == 200
    assert elsewhere.tracking_code not in html
    assert f'href="{reverse("workflows:case", args=[elsewhere.pk])}"' not in html
