"""Headers and sessions: HTTPS (redirect, HSTS) from the environment with `check --deploy` clean,
the Content-Security-Policy, the staff session's lifetime, and the API schema for signed-in
users only."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model

ROOT = Path(__file__).resolve().parents[2]
# Variables a test environment may carry that would change what production settings mean.
LOCAL_ONLY = (
    "DEBUG",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SESSION_HOURS",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for themselves
)


def production(command: list[str], **env) -> subprocess.CompletedProcess:
    """Run with DEBUG off and the variables production must set, plus `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in LOCAL_ONLY}
    required = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "baqylau.example.kz",
    }
    return subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env={**clean, **required, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
    "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_AGE]))"
)


def production_settings(**env) -> list:
    result = production(["-c", SHOW], DJANGO_SETTINGS_MODULE="config.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_under_production_settings():
    result = production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_notices_https_switched_off():
    result = production(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_https_and_the_session_follow_the_environment():
    assert production_settings() == [True, 31536000, True, 8 * 3600]
    assert production_settings(
        SECURE_HSTS_SECONDS="600", SECURE_HSTS_INCLUDE_SUBDOMAINS="0", SESSION_HOURS="2"
    ) == [True, 600, False, 2 * 3600]
    # Plain HTTP (the smoke test on loopback): no redirect, no HSTS.
    assert production_settings(SECURE_COOKIES="0")[:2] == [False, 0]


@pytest.mark.django_db
def test_a_staff_login_lasts_eight_hours(client):
    get_user_model().objects.create_user("aigul", password="right-password-123")
    response = client.post(
        "/accounts/login/", {"username": "aigul", "password": "right-password-123"}
    )
    assert response.status_code == 302
    assert client.session.get_expiry_age() == 8 * 3600


def test_photos_from_the_bucket_are_allowed_images():
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    result = production(
        ["-c", show],
        DJANGO_SETTINGS_MODULE="config.settings",
        MEDIA_STORAGE="s3",
        S3_ENDPOINT_URL="https://s3.example.kz:9000",
    )
    assert result.returncode == 0, result.stderr
    assert "https://s3.example.kz:9000" in result.stdout


def test_pages_carry_a_content_security_policy(client, settings):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "https://tile.openstreetmap.org" in directives["img-src"]


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_the_api_schema_is_for_signed_in_users_only(client, world, path):
    anonymous = client.get(path)
    assert anonymous.status_code in (302, 403)
    if anonymous.status_code == 302:
        assert anonymous["Location"].startswith("/accounts/login/")
    assert b"/api/v1/cases/" not in anonymous.content
    client.force_login(world.clerk)
    assert client.get(path).status_code == 200


def test_the_api_browser_runs_no_inline_script(client, world):
    client.force_login(world.clerk)
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page and "/api/docs/?script" in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
