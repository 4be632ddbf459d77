"""In a real browser, in Kazakh: an investigator goes from the menu to the officials, finds the
inspector by name and opens the page with the act he signed; on a phone the page does not
spill sideways (wide tables scroll inside their card)."""

import pytest

from tests.oversight.conftest import Posts, accepted

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_an_investigator_finds_an_official_and_the_act_he_signed(
    live_server, new_page, screenshots, world
):
    posts = Posts(world)
    case, act = accepted(world)

    page = new_page("kk-KZ")
    page.goto(f"{live_server.url}/accounts/login/?next=/staff/cases/")
    page.fill("#id_username", "investigator")
    page.fill("#id_password", "pw-investigator")
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/cases/")
    menu = page.locator(".staff-menu a[href='/staff/officials/']")
    assert menu.inner_text().strip() == "Лауазымды тұлғалар"
    menu.click()
    page.wait_for_url("**/staff/officials/")
    page.fill("#id_q", "Марат")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/staff/officials/?*")
    page.get_by_role("link", name="Марат Тілеуов").click()
    page.wait_for_url(f"**/staff/officials/{posts.inspector.pk}/")
    assert page.locator("h1").inner_text() == "Марат Тілеуов"
    acts = page.locator("#section-acts")
    assert f"№ {act.number}" in acts.inner_text()
    assert acts.get_by_role("link", name=case.tracking_code).is_visible()
    assert page.locator("#section-posts").get_by_text("№ 17-к").is_visible()
    screenshots(page, "official-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshots(page, "official-phone")
