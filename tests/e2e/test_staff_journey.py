"""One complaint through the staff application in a real browser: the clerk triages it, the
officer issues a work order, the contractor reports the repair with photos, the inspector sends
it back once and then accepts it; the citizen's tracking page shows each step."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from PIL import Image

from casework.models import Case
from casework.states import CaseState
from oversight.models import AcceptanceAct
from workflows.consistency import flow_problems

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def photo(tmp_path, name: str, colour) -> str:
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


class Journey:
    def __init__(self, live_server, new_page, screenshots, case):
        self.base = live_server.url
        self.new_page = new_page
        self.shoot = screenshots
        self.case = case
        self.citizen = new_page("kk-KZ")

    def login(self, username: str, locale: str = "ru-RU"):
        page = self.new_page(locale)
        page.goto(f"{self.base}/accounts/login/?next=/staff/queue/")
        page.fill("#id_username", username)
        page.fill("#id_password", f"pw-{username}")
        self.shoot(page, f"{username}-login")
        page.click("main button[type=submit]")
        page.wait_for_url("**/staff/queue/")
        self.shoot(page, f"{username}-queue")
        return page

    def take(self, page, who: str):
        row = page.locator("tr[data-task]", has=page.get_by_text(self.case.tracking_code))
        row.locator("form button[type=submit]").click()
        page.wait_for_url("**/staff/tasks/*/")
        self.shoot(page, f"{who}-task")

    def submit(self, page, action: str, who: str):
        self.shoot(page, f"{who}-{action}-filled")
        page.locator(f"#action-{action} button[type=submit]").click()
        page.wait_for_url(f"**/staff/cases/{self.case.pk}/")
        assert page.locator(".message.success").count() == 1
        self.shoot(page, f"{who}-{action}-done")
        assert flow_problems() == []

    def tracking(self, expected_entries: int, state: str):
        page = self.citizen
        page.goto(f"{self.base}/track/{self.case.tracking_code}/?t={self.case.access_token}")
        entries = page.locator("ol.timeline li")
        assert entries.count() == expected_entries
        with translation.override("kk"):  # the citizen reads Kazakh; the page shows the label
            assert entries.last.get_attribute("data-state") == str(CaseState(state).label)
        self.shoot(page, f"citizen-track-{expected_entries}")


def test_a_complaint_goes_from_triage_to_a_verified_repair(
    live_server, new_page, screenshots, world, tmp_path
):
    case = world.case(title="Яма у дома 5", channel="web")
    journey = Journey(live_server, new_page, screenshots, case)
    journey.tracking(1, "received")

    clerk = journey.login("clerk", "kk-KZ")
    assert clerk.locator("html").get_attribute("lang") == "kk"
    journey.take(clerk, "clerk")
    clerk.select_option("#action-assign select[name=department]", str(world.dep_a1.pk))
    journey.submit(clerk, "assign", "clerk")
    journey.tracking(2, "assigned")

    officer = journey.login("officer")
    journey.take(officer, "officer")
    officer.select_option("#action-notify_contractor select[name=contract]", str(world.contract.pk))
    officer.fill("#action-notify_contractor textarea[name=note]", "Заделать до пятницы")
    journey.submit(officer, "notify_contractor", "officer")
    journey.tracking(3, "contractor_notified")

    contractor = journey.login("contractor")
    journey.take(contractor, "contractor")
    form = "#action-report_repaired"
    contractor.set_input_files(f"{form} input[name=before]", photo(tmp_path, "b.jpg", (60, 60, 60)))
    contractor.set_input_files(f"{form} input[name=after]", photo(tmp_path, "a.jpg", (90, 90, 90)))
    journey.submit(contractor, "report_repaired", "contractor")
    assert contractor.locator("ul.photos img").count() == 2
    journey.tracking(4, "repaired")

    inspector = journey.login("inspector")
    journey.take(inspector, "inspector")
    inspector.fill("#action-return_for_rework textarea[name=reason]", "Края не обрезаны")
    journey.submit(inspector, "return_for_rework", "inspector")
    journey.tracking(5, "contractor_notified")

    contractor.goto(f"{journey.base}/staff/queue/")
    journey.take(contractor, "contractor-again")
    contractor.set_input_files(
        f"{form} input[name=before]", photo(tmp_path, "b2.jpg", (50, 50, 50))
    )
    contractor.set_input_files(f"{form} input[name=after]", photo(tmp_path, "a2.jpg", (95, 95, 95)))
    journey.submit(contractor, "report_repaired", "contractor-again")
    journey.tracking(6, "repaired")

    inspector.goto(f"{journey.base}/staff/queue/")
    journey.take(inspector, "inspector-again")
    inspector.fill("#action-verify input[name=quantity]", "2.5")
    inspector.select_option("#action-verify select[name=unit]", "m2")
    inspector.fill("#action-verify input[name=amount_kzt]", "48500")
    inspector.fill("#action-verify textarea[name=note]", "Принято")
    journey.submit(inspector, "verify", "inspector-again")
    journey.tracking(7, "verified")

    case.refresh_from_db()
    assert case.state == "verified" and case.rework_count == 1
    assert Case.objects.get(pk=case.pk).verified_by == world.inspector
    act = AcceptanceAct.objects.get(case=case)
    assert (act.quantity, act.unit, act.amount_kzt) == (Decimal("2.5"), "m2", Decimal("48500"))
    # Accepting signed the act: its hash is the newest event in the case's chain.
    timeline = inspector.locator("ol.timeline li.entry")
    assert timeline.count() == 8


def test_a_refused_form_shows_field_errors_and_changes_nothing(
    live_server, new_page, screenshots, world
):
    case = world.case()
    journey = Journey(live_server, new_page, screenshots, case)
    clerk = journey.login("clerk")
    journey.take(clerk, "clerk")
    clerk.select_option("#action-reject select[name=reason_code]", "duplicate")
    clerk.locator("#action-reject button[type=submit]").click()
    clerk.wait_for_load_state()
    assert clerk.locator(".field.has-error").count() >= 1
    screenshots(clerk, "reject-errors")
    case.refresh_from_db()
    assert case.state == "received"
