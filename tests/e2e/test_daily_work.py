"""Everyday work in a real browser (issue 18): a clerk sorts the case list, sees the total,
downloads exactly the listed cases as CSV and takes two cases at once; a contractor who logs in
lands in the portal and sees why the inspector returned the repair; a citizen judges the repair by
its photos, and a mistyped tracking code brings back the lookup form."""

import csv
import io

import pytest

from casework import services
from contractors.selectors import current_work_order
from tests.factories import image_upload
from workflows.queues import active_task_of

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def login(new_page, base: str, username: str):
    page = new_page("ru-RU")
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page


def rows(page) -> list[str]:
    return page.locator("table.cases tbody tr[data-case]").evaluate_all(
        "rows => rows.map(r => r.dataset.case)"
    )


def test_a_clerk_sorts_exports_and_takes_cases_in_bulk(live_server, new_page, screenshots, world):
    cases = [world.case(title=f"Яма {n}", photos=[image_upload(f"{n}.jpg")]) for n in range(3)]
    page = login(new_page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/staff/cases/")
    assert page.locator("#case-total").inner_text().startswith("3")
    # Thumbnails load (served through the permission check; lazily, so wait for them).
    assert page.locator("td.thumb img").count() == 3
    page.wait_for_function(
        "() => [...document.querySelectorAll('td.thumb img')]"
        ".every(i => i.complete && i.naturalWidth > 0)",
        timeout=10_000,
    )
    page.click("th a.sort[data-sort=code]")
    page.wait_for_url("**sort=code")
    ascending = rows(page)
    assert ascending == sorted(c.tracking_code for c in cases)
    page.click("th a.sort[data-sort=code]")
    page.wait_for_url("**sort=-code")
    assert rows(page) == list(reversed(ascending))
    screenshots(page, "sorted")

    with page.expect_download() as download:
        page.click("#case-export")
    text = open(download.value.path(), encoding="utf-8-sig").read()
    exported = [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    assert exported == rows(page)

    page.check(f"#pick-{cases[0].pk}")
    page.check(f"#pick-{cases[2].pk}")
    page.click("#bulk-form button[name=op][value=claim]")
    page.wait_for_selector("#bulk-outcomes")
    screenshots(page, "bulk-taken")
    assert page.locator("#bulk-outcomes tr.done").count() == 2
    owners = [active_task_of(c).owner_id for c in cases]
    assert owners == [world.clerk.pk, None, world.clerk.pk]


def test_a_contractor_works_in_the_portal_and_sees_why_the_repair_came_back(
    live_server, new_page, screenshots, world
):
    case = world.advance(world.case(), "repaired")
    services.case_return_for_rework(
        case,
        actor=world.inspector,
        reason="Края не обрезаны",
        photos=[image_upload("inspection.jpg", size=(120, 90))],
    )
    order = current_work_order(case)
    page = login(new_page, live_server.url, "contractor")
    assert page.url.rstrip("/").endswith("/contractor")
    page.goto(f"{live_server.url}/contractor/orders/{order.pk}/")
    returns = page.locator("#returns")
    assert "Края не обрезаны" in returns.inner_text()
    assert returns.locator("img").evaluate("img => img.naturalWidth") > 0
    screenshots(page, "returned-order")


def test_a_citizen_judges_the_repair_by_its_photos_and_recovers_from_a_typo(
    live_server, new_page, screenshots, world
):
    case = world.advance(world.case(), "verified")
    page = new_page("ru-RU")
    page.goto(f"{live_server.url}/track/{case.tracking_code}/?t={case.access_token}")
    photos = page.locator("#citizen-word img")
    assert photos.count() == 1 and photos.evaluate("img => img.naturalWidth") > 0
    screenshots(page, "after-photos")

    typo = case.tracking_code[:-1] + ("X" if case.tracking_code[-1] != "X" else "Y")
    response = page.goto(f"{live_server.url}/track/{typo}/")
    assert response.status == 404
    assert page.locator("#track-not-found").is_visible()
    screenshots(page, "not-found")
    page.fill("#code", case.tracking_code)
    page.click("#track-not-found button[type=submit]")
    page.wait_for_url(f"**/track/{case.tracking_code}/")
    assert case.tracking_code in page.locator("h1").inner_text()
