"""Accessibility in a real browser (issue 18): axe-core finds no WCAG 2.1 A/AA violation on the
public pages (in Kazakh, Russian and English) and on the staff application's main pages of each
role (in Kazakh and Russian), on a 1366×768 desktop and on a phone; no id is used twice and every
field has its label; the Kazakh staff menu and the rest of the header stay on one row at 1366 px
with room to spare."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation

from config import errors
from tests.e2e.a11y_world import staff_pages, task_taken
from tests.e2e.axe import axe_available, axe_describe, axe_run
from tests.factories import image_upload

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
SIZES = {"desktop": DESKTOP, "phone": {"width": 390, "height": 844}}
LOCALES = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}


# Ids used twice, labels that name no field of their own, fields with neither a label nor an
# aria-label (a row's checkbox in a table).
ID_AND_LABEL_PROBLEMS = """() => {
  const problems = [];
  const seen = new Map();
  for (const el of document.querySelectorAll('[id]')) {
    seen.set(el.id, (seen.get(el.id) || 0) + 1);
  }
  for (const [id, n] of seen) if (n > 1) problems.push(`id "${id}" is used ${n} times`);
  for (const label of document.querySelectorAll('label[for]')) {
    const target = document.getElementById(label.htmlFor);
    if (!target || !target.labels || ![...target.labels].includes(label))
      problems.push(`label for "${label.htmlFor}" names no field of its own`);
  }
  const fields = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea');
  for (const field of fields) {
    const named = field.getAttribute('aria-label') || field.getAttribute('aria-labelledby');
    if ((!field.labels || field.labels.length === 0) && !named)
      problems.push(`${field.tagName.toLowerCase()} name="${field.name}" has no label`);
  }
  return problems;
}"""


@pytest.fixture
def axe():
    axe_available()


class Audit:
    """Visits pages and collects what axe finds on each, at both sizes."""

    def __init__(self, page, base: str, sizes: tuple[str, ...] = ("desktop", "phone")):
        self.page = page
        self.base = base
        self.sizes = sizes
        self.found: list[str] = []

    def check(self, label: str) -> None:
        for name in self.sizes:
            size = SIZES[name]
            self.page.set_viewport_size(size)
            violations = axe_run(self.page)
            if violations:
                self.found += axe_describe(f"{label} [{name}]", violations)
        self.found += [f"{label}: {p}" for p in self.page.evaluate(ID_AND_LABEL_PROBLEMS)]

    def visit(self, path: str, *, status: int | None = 200) -> None:
        response = self.page.goto(self.base + path)
        if status is not None:
            assert response.status == status, f"{path}: {response.status}"
        self.check(path)

    def served(self, path: str, body: str, status: int) -> None:
        """A page the server sends only in a state hard to reach from a browser (a server error,
        a rate limit): its HTML as the server renders it, delivered at a URL of the site so that
        its stylesheet loads."""
        url = self.base + path
        self.page.route(
            url, lambda route: route.fulfill(status=status, body=body, content_type="text/html")
        )
        self.page.goto(url)
        self.check(path)
        self.page.unroute(url)

    def assert_clean(self) -> None:
        assert not self.found, "axe found WCAG 2.1 AA violations:\n" + "\n".join(self.found)


def _rendered_elsewhere(language: str) -> dict[str, tuple[str, int]]:
    """The error pages, the rate-limit pages and the lockout page, as the server renders them."""
    from django.contrib.auth.models import AnonymousUser
    from django.shortcuts import render

    from config.lockout import lockout_response

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    pages = {}
    with translation.override(language):
        for status, handler in (
            (400, errors.bad_request),
            (403, errors.permission_denied),
            (500, errors.server_error),
        ):
            pages[f"/error-{status}/"] = handler(request)
        for name in ("complain_limited", "track_limited"):
            pages[f"/{name}/"] = render(request, f"intake/{name}.html", status=429)
        pages["/locked-out/"] = lockout_response(request)
    return {path: (r.content.decode(), r.status_code) for path, r in pages.items()}


def _log_in(page, base: str, username: str, landing: str = "") -> None:
    page.goto(f"{base}/accounts/login/" + (f"?next={landing}" if landing else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_public_pages_have_no_wcag_violations(
    live_server, new_page, world, axe, language, monkeypatch
):
    # Allowances of their own (the counters are keyed by the rate): this test's requests from
    # 127.0.0.1 neither hit the limits nor use up those of the other tests.
    monkeypatch.setenv("INTAKE_WEB_RATE", "1000/m")
    monkeypatch.setenv("INTAKE_TRACK_RATE", "1000/m")
    case = world.advance(world.case(photos=[image_upload("pit.jpg")]), "verified")
    page = new_page(LOCALES[language])
    audit = Audit(page, live_server.url)

    audit.visit("/complain/")
    page.click("button[type=submit].primary")  # nothing filled in: the form with its errors
    page.wait_for_selector(".errorlist")
    audit.check("/complain/ (refused)")
    page.select_option("#id_category", str(world.pothole.pk))
    page.select_option("#id_district", str(world.a1.pk))
    page.fill("#id_description", "Глубокая яма у подъезда")
    page.click("#place-map", position={"x": 200, "y": 150})
    page.click("button[type=submit].primary")
    page.wait_for_url("**/complain/done/")
    audit.check("/complain/done/")

    audit.visit("/track/")
    audit.visit(f"/track/{case.tracking_code}/")
    audit.visit(f"/track/{case.tracking_code}/?t={case.access_token}")
    page.click("#citizen-word button[name=confirm]")
    page.wait_for_load_state()
    audit.check("/track/ (repair confirmed)")
    rejected = world.advance(world.case(), "rejected")
    audit.visit(f"/track/{rejected.tracking_code}/?t={rejected.access_token}")
    audit.visit("/track/AQT-2026-NOSUCHXXX/", status=404)
    audit.visit("/no-such-page/", status=404)
    for path, (body, status) in _rendered_elsewhere(language).items():
        audit.served(path, body, status)

    audit.visit("/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "wrong")
    page.click("main button[type=submit]")
    page.wait_for_selector("[role=alert]")
    audit.check("/accounts/login/ (refused)")
    audit.visit("/accounts/login/?next=/contractor/")
    audit.assert_clean()


# Kazakh has the longest words (on a desktop and a phone); Russian is what most staff read; the
# English pages differ from these in nothing but shorter text.
@pytest.mark.parametrize(
    "language, sizes", [("kk", ("desktop", "phone")), ("ru", ("desktop",))], ids=["kk", "ru"]
)
def test_staff_pages_have_no_wcag_violations(live_server, new_page, world, axe, language, sizes):
    built = staff_pages(world)
    found: list[str] = []
    for username in ("clerk", "officer", "inspector", "contractor", "investigator", "manager"):
        page = new_page(LOCALES[language])
        _log_in(page, live_server.url, username)
        audit = Audit(page, live_server.url, sizes)
        audit.check(f"{username}: landing {page.url}")
        for entry in built.pages[username] + built.tasks.get(username, []):
            path, status = entry if isinstance(entry, tuple) else (entry, 200)
            audit.visit(path, status=status)
        if username == "clerk":
            page.click(".account summary")
            audit.check("the account menu, open")
            page.goto(f"{live_server.url}/intake/phone/")
            page.click("main button[type=submit]")
            page.wait_for_selector(".errorlist")
            audit.check("/intake/phone/ (refused)")
            page.goto(f"{live_server.url}{built.tasks['clerk'][0]}")
            page.click("#action-reject button[type=submit]")
            page.wait_for_selector(".errorlist")
            audit.check("the reject form (refused)")
        found += [f"{username} {line}" for line in audit.found]
    assert not found, "axe found WCAG 2.1 AA violations:\n" + "\n".join(found)


def test_task_pages_have_unique_ids_and_a_label_for_every_field(live_server, new_page, world):
    built = staff_pages(world)
    problems: list[str] = []
    for username, paths in built.tasks.items():
        page = new_page("ru-RU")
        _log_in(page, live_server.url, username)
        for path in paths:
            page.goto(live_server.url + path)
            assert page.locator(".action-form").count() >= 1, f"{username}: {path} has no form"
            problems += [f"{username} {path}: {p}" for p in page.evaluate(ID_AND_LABEL_PROBLEMS)]
            # A form sent empty comes back with its errors (on the action's own page).
            strict = page.locator(".action-form:has([required]) button[type=submit]")
            if strict.count() == 0:
                continue
            with page.expect_navigation() as sent:
                strict.first.click()
            assert sent.value.status == 400
            problems += [
                f"{username} {path} (refused): {p}" for p in page.evaluate(ID_AND_LABEL_PROBLEMS)
            ]
    assert problems == [], "\n".join(problems)


# Room the header keeps free beside the longest menu (the notices bell is in it already): a
# longer first name, or counts of two digits.
ROOM_PX = 24

HEADER_LAYOUT = """() => {
  const box = el => el.getBoundingClientRect();
  const bar = document.querySelector('.topbar');
  const parts = [...bar.children].filter(el => el.getClientRects().length);
  return {
    items: [...document.querySelectorAll('.staff-menu a')].map(
      a => [a.textContent.trim().replace(/\\s+/g, ' '), Math.round(box(a).top)]),
    parts: parts.map(el => [el.className, Math.round(box(el).top), Math.round(box(el).bottom)]),
    room: Math.round(box(bar.querySelector('.topbar-right')).left
                     - box(bar.querySelector('.staff-menu')).right),
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


def test_the_kazakh_menu_fits_on_one_row_at_1366_px(live_server, new_page, world, screenshots):
    # Tasks in the inbox and in the queue of each role that has them: the menu shows their counts.
    for _ in range(2):
        world.case()
        world.advance(world.case(), "assigned")
        world.case(category=world.corruption)
    task_taken(world.case(), world.clerk)
    task_taken(world.advance(world.case(), "assigned"), world.officer)
    task_taken(world.case(category=world.corruption), world.investigator)

    for user in world.users.values():  # the header shows the first name
        user.first_name, user.last_name = "Айгүл", "Сейтқалиева"
        user.save(update_fields=["first_name", "last_name"])
    problems = []
    # The investigator has the most entries; then the clerk, the officer, the manager.
    for username in ("investigator", "clerk", "officer", "manager"):
        page = new_page("kk-KZ")
        page.set_viewport_size(DESKTOP)
        _log_in(page, live_server.url, username)
        assert page.locator("html").get_attribute("lang") == "kk"
        layout = page.evaluate(HEADER_LAYOUT)
        screenshots(page, f"menu-{username}")
        assert len(layout["items"]) >= 4, layout
        first_row_bottom = min(bottom for _, _, bottom in layout["parts"])
        if len({top for _, top in layout["items"]}) != 1:
            problems.append(f"{username}: the menu wraps: {layout}")
        elif not all(top < first_row_bottom for _, top, _ in layout["parts"]):
            problems.append(f"{username}: the header takes more than one row: {layout}")
        elif layout["room"] < ROOM_PX or layout["overflow"] > 0:
            problems.append(f"{username}: less than {ROOM_PX} px left beside the menu: {layout}")
    assert problems == [], "\n".join(problems)
