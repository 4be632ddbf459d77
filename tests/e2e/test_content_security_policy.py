"""The Content-Security-Policy breaks no page: in a real browser, the pages with scripts (the
complaint form's map, the case map, the contractor's map of sites, a report's progress, the API
browser) work and Chromium reports no violation."""

import pytest

from reports.models import ReportRun

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def watched(new_page):
    """A page whose Content-Security-Policy violations are collected (Chromium reports each on
    the console and as a `securitypolicyviolation` event)."""
    violations: list[str] = []

    def make(locale: str = "ru-RU"):
        page = new_page(locale)
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )
        return page

    yield make
    assert violations == []


def login(page, base: str, username: str, landing: str) -> None:
    page.goto(f"{base}/accounts/login/?next={landing}")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{landing}")


def test_the_policy_is_sent_and_the_complaint_map_works(live_server, watched, world):
    page = watched()
    response = page.goto(f"{live_server.url}/complain/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.click("#place-map", position={"x": 200, "y": 150})
    assert page.input_value("#id_latitude") != ""


def test_staff_pages_with_scripts_work_under_the_policy(live_server, watched, world):
    case = world.advance(world.case(), "contractor_notified")
    base = live_server.url

    clerk = watched()
    login(clerk, base, "clerk", f"/staff/cases/{case.pk}/")
    clerk.wait_for_selector("#case-map.leaflet-container .leaflet-marker-icon")

    contractor = watched()
    login(contractor, base, "contractor", "/contractor/")
    contractor.wait_for_selector("#sites-map .leaflet-marker-icon")

    run = ReportRun.objects.create(
        kind=ReportRun.Kind.DOSSIER,
        case=case,
        region=world.region_a,
        language="ru",
        requested_by=world.manager,
    )
    manager = watched()
    with manager.expect_response(
        lambda r: r.url.endswith(f"/reports/runs/{run.pk}/status/")
    ) as status:
        login(manager, base, "manager", f"/reports/runs/{run.pk}/")
    assert status.value.status == 200  # the progress script may fetch from the site

    manager.goto(f"{base}/api/docs/")
    manager.wait_for_selector(".swagger-ui .information-container")
