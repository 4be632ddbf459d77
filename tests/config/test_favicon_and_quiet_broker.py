"""The site has a favicon (linked from every page, and at /favicon.ico where browsers look
unasked), and the embedded mode of `make run` no longer prints kombu's "No hostname was supplied"
each time a job is handed to the in-process broker."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_links_the_icon_and_favicon_ico_leads_to_it(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("img/favicon.svg")
    assert finders.find("img/favicon.svg") is not None
    for url in ("/accounts/login/", "/track/", "/no-such-page/"):
        html = client.get(url).content.decode()
        assert 'rel="icon"' in html and "img/favicon.svg" in html, url


@pytest.mark.slow
def test_the_embedded_broker_sends_jobs_without_the_hostname_warning():
    script = (
        "import django, logging; django.setup(); logging.basicConfig();"
        "from config.health import beat_heartbeat; beat_heartbeat.apply_async(); print('sent')"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="1")
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "sent" in done.stdout
    assert "No hostname was supplied" not in done.stderr + done.stdout
