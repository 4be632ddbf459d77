"""A real browser: Debian's Chromium driven by Playwright, against pytest-django's live server.

Under CI=true a missing Chromium or Playwright fails the test instead of skipping it."""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import need

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
# (building data, checking it) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    need(bool(shutil.which(path)) or os.access(path, os.X_OK), f"Chromium at {path}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        need(False, "Playwright for Python")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshots(request):
    """Save a full-page screenshot of each page visited, under artifacts/e2e/."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    count = iter(range(1, 1000))

    def shoot(page, name: str) -> Path:
        path = folder / f"{next(count):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


@pytest.fixture
def new_page(browser, live_server, settings):
    """A fresh browser context (one per person) that may talk to the live server only."""
    settings.MAP_TILE_URL = ""
    settings.MAP_TILES_URL = ""
    allowed = urlsplit(live_server.url).netloc
    contexts = []
    blocked = []

    def make(locale: str = "ru-RU"):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        contexts.append(context)

        def guard(route):
            if urlsplit(route.request.url).netloc == allowed:
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert blocked == [], f"requests outside the test server: {blocked}"
