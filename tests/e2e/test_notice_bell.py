"""The notice bell in a real browser: an officer gets a task, the bell in the header says one
unread, the notice opens the task and the bell goes back to none; on a phone the bell and the
notices fit the screen. A contractor has the same bell in the portal."""

import re

import pytest

from casework import services
from casework.models import StaffNotice
from contractors.selectors import current_work_order
from workflows.queues import active_task_of

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def login(new_page, base: str, username: str, locale: str = "ru-RU"):
    page = new_page(locale)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page


def test_an_officer_opens_the_notice_of_a_new_task_and_the_bell_empties(
    live_server, new_page, screenshots, world
):
    world.officer.email = "officer@example.kz"
    world.officer.save()
    case = world.case(title="Яма у школы")
    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    task = active_task_of(case)
    # The outbox job ran after the commit (Celery eager here, a worker in production).
    assert StaffNotice.objects.filter(recipient=world.officer).count() == 1

    page = login(new_page, live_server.url, "officer")
    bell = page.locator("#notice-bell")
    assert bell.get_attribute("aria-label") == "Уведомления, 1 непрочитанное"
    assert page.get_by_role("link", name="Уведомления, 1 непрочитанное").is_visible()
    assert bell.locator(".count").inner_text() == "1"
    screenshots(page, "bell-one-unread")

    bell.click()
    page.wait_for_url("**/staff/notices/")
    notice = page.locator("#notices li.notice-item.unread a")
    assert notice.count() == 1
    assert case.tracking_code in notice.inner_text()
    assert "Новая задача «Организовать ремонт»" in notice.inner_text()
    screenshots(page, "notices")

    notice.click()
    page.wait_for_url(f"**/staff/tasks/{task.pk}/")
    assert bell.get_attribute("aria-label") == "Уведомления, непрочитанных нет"
    assert bell.locator(".count").count() == 0
    screenshots(page, "task-opened")

    # Back on the list, read; on a phone the bell and the list fit the width of the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/staff/notices/")
    assert page.locator("#notices li.notice-item.unread").count() == 0
    assert page.locator("#notices li.notice-item").count() == 1
    box = bell.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshots(page, "phone")


def test_a_contractor_sees_the_returned_repair_on_the_portals_bell(
    live_server, new_page, screenshots, world
):
    case = world.advance(world.case(), "repaired")
    services.case_return_for_rework(case, actor=world.inspector, reason="Края не обрезаны")
    order = current_work_order(case)
    page = login(new_page, live_server.url, "contractor", locale="en-US")
    page.wait_for_url("**/contractor/")
    bell = page.get_by_role("link", name="Notices, 2 unread")
    bell.click()
    page.wait_for_url("**/contractor/notices/")
    returned = page.locator("#notices li.notice-item.unread a", has_text="Края не обрезаны")
    assert re.search(r"the inspector returned the repair for rework", returned.inner_text())
    screenshots(page, "portal-notices")
    returned.click()
    page.wait_for_url(f"**/contractor/orders/{order.pk}/")
    assert page.locator("#notice-bell").get_attribute("aria-label") == "Notices, 1 unread"


def test_a_mention_in_a_comment_rings_the_colleagues_bell_and_leads_to_the_comment(
    live_server, new_page, screenshots, world
):
    case = world.advance(world.case(title="Яма у рынка"), "assigned")
    StaffNotice.objects.all().delete()
    page = login(new_page, live_server.url, "officer", locale="en-US")
    page.goto(f"{live_server.url}/staff/cases/{case.pk}/")
    page.get_by_label("Comment for colleagues").fill("@officer2 the contractor wants the plan")
    page.get_by_role("button", name="Add comment").click()
    page.wait_for_url(re.compile(rf".*/staff/cases/{case.pk}/#event-\d+$"))
    assert page.locator("li.action-comment").inner_text().count("the contractor wants") == 1
    screenshots(page, "comment-added")

    colleague = login(new_page, live_server.url, "officer2", locale="en-US")
    bell = colleague.get_by_role("link", name="Notices, 1 unread")
    bell.click()
    colleague.wait_for_url("**/staff/notices/")
    notice = colleague.locator("#notices li.notice-item.unread a")
    assert f"officer mentioned you on case {case.tracking_code}" in notice.inner_text()
    notice.click()
    colleague.wait_for_url(re.compile(rf".*/staff/cases/{case.pk}/#event-\d+$"))
    assert colleague.locator("li.action-comment:target").count() == 1
    screenshots(colleague, "mention-opened")
