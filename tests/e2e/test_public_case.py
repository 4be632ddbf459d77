"""In a real browser on a phone: anyone opens a public case page (Kazakh, Russian, English) with
its timeline and the repair's photos, which load; axe-core finds no WCAG 2.1 AA violation there
nor on /open-data/; the page does not spill sideways."""

import pytest
from django.utils import translation

from casework import services
from casework.models import Case
from contractors.services import work_order_issue
from portal.open_data_dump import open_data_dump
from tests.e2e.axe import axe_available, axe_describe, axe_run
from tests.factories import image_upload

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LOCALES = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}


def repaired_case(world) -> Case:
    case = world.advance(world.case(title="Яма secret-title"), "assigned")
    work_order_issue(case, actor=world.officer, contract=world.contract)
    services.case_report_repaired(
        Case.objects.get(pk=case.pk),
        actor=world.contractor_user,
        before=[image_upload("b.jpg", color=(90, 60, 40))],
        after=[image_upload("a.jpg", color=(60, 90, 40))],
    )
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_public_case_page_on_a_phone_is_axe_clean(
    live_server, new_page, screenshots, world, language
):
    axe_available()
    case = repaired_case(world)
    page = new_page(LOCALES[language])
    page.set_viewport_size(PHONE)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/cases/{case.tracking_code}/")
    assert page.locator("html").get_attribute("lang") == language
    with translation.override(language):
        heading = translation.gettext("What has happened")
    assert page.locator("#public-timeline h2").inner_text() == heading
    assert case.tracking_code in page.locator("h1").inner_text()
    images = page.locator("#repair-photos img")
    assert images.count() == 2
    for index in range(2):
        images.nth(index).scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=images.nth(index).element_handle()
        )
    assert "secret-title" not in page.content()
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"the page is {wide}px wide on a {PHONE['width']}px phone"
    screenshots(page, f"public-case-{language}")
    problems = axe_describe(f"/cases/ ({language})", axe_run(page))
    page.goto(f"{live_server.url}/open-data/")
    assert page.locator("#open-data-not-yet").is_visible()
    screenshots(page, f"open-data-{language}")
    problems += axe_describe(f"/open-data/ ({language})", axe_run(page))
    open_data_dump()
    page.reload()
    assert page.locator("section:not(#open-data-projects) .open-data-files a").count() == 4
    assert page.locator("#open-data-projects .open-data-files a").count() == 2
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"/open-data/ is {wide}px wide on a {PHONE['width']}px phone"
    screenshots(page, f"open-data-published-{language}")
    problems += axe_describe(f"/open-data/ published ({language})", axe_run(page))
    assert problems == []
