"""In a real browser: the inspector who takes a verification sees the repair photos and the
warning about a photo taken before the work order on the task page, above the button that
accepts the repair, on a desktop screen and on a phone."""

import datetime as dt

import pytest

from contractors.selectors import case_evidence_flags, current_work_order
from contractors.services import work_order_report_repair
from tests.contractors.photos import photo

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SITE = (50.2839, 57.1670)


def test_the_warning_about_a_photo_is_visible_above_the_accept_button(
    live_server, new_page, screenshots, world
):
    case = world.advance(world.case(title="Ямы у люков"), "contractor_notified")
    issued = current_work_order(case).issued_at
    work_order_report_repair(
        case,
        actor=world.contractor_user,
        before=[photo(1, taken_at=issued - dt.timedelta(days=7), lat=SITE[0], lon=SITE[1])],
        after=[photo(2, taken_at=issued + dt.timedelta(hours=3), lat=SITE[0], lon=SITE[1])],
    )
    assert [f.code for f in case_evidence_flags(case)] == ["taken_before_order"]

    page = new_page("ru-RU")
    page.goto(f"{live_server.url}/accounts/login/?next=/staff/queue/")
    page.fill("#id_username", "inspector")
    page.fill("#id_password", "pw-inspector")
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/queue/")
    row = page.locator("tr[data-task]", has=page.get_by_text(case.tracking_code))
    row.locator("form button[type=submit]").click()
    page.wait_for_url("**/staff/tasks/*/")

    warning = page.locator('#repair-evidence [data-flag="taken_before_order"]')
    accept = page.locator("#action-verify button[type=submit]")
    assert warning.is_visible() and accept.is_visible()
    assert issued.astimezone(dt.timezone(dt.timedelta(hours=5))).strftime("%d.%m.%Y") in (
        warning.inner_text()
    )
    assert page.locator("#repair-evidence [role=alert]").is_visible()
    assert warning.bounding_box()["y"] < accept.bounding_box()["y"]
    # The thumbnails are real pictures served by the staff photo view, and each opens it.
    thumbnails = page.locator("#repair-evidence img")
    assert thumbnails.count() == 2
    for index in range(2):
        image = thumbnails.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        assert "/staff/cases/" in image.locator("xpath=..").get_attribute("href")
    screenshots(page, "inspector-task-desktop")

    # A phone: the warning is still on the screen above the button, nothing overflows sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    assert warning.is_visible()
    assert warning.bounding_box()["y"] < accept.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshots(page, "inspector-task-phone")
