"""Login throttling (django-axes): a user name from one address is locked out after too many
wrong passwords, on the staff login and the admin's, and let in again after the cool-down.

Axes keeps its state in the database (AXES_HANDLER is the database handler), so every test's
attempts roll back with the test's transaction; the fixture below proves none are left over."""

import datetime as dt
import logging

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model

from casework.client_ip import client_ip

PASSWORD = "right-password-123"
LIMIT = 3


@pytest.fixture
def staff(db, settings):
    assert not AccessAttempt.objects.exists()  # nothing left behind by another test
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    user = get_user_model().objects.create_user("aigul", password=PASSWORD)
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    return user, admin


def login(client, url, username, password, ip="10.0.0.1", language="en"):
    return client.post(
        url,
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("url", "username"), [("/accounts/login/", "aigul"), ("/admin/login/", "root")]
)
def test_wrong_passwords_lock_out_even_the_right_one(client, staff, url, username, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        for attempt in range(1, LIMIT + 1):
            response = login(client, url, username, "wrong")
            # The last wrong password already gets the lockout page.
            assert response.status_code == (429 if attempt == LIMIT else 200)
        response = login(client, url, username, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    assert "Too many login attempts" in response.content.decode()
    attempt = AccessAttempt.objects.get(username=username)
    assert attempt.failures_since_start >= LIMIT and attempt.ip_address == "10.0.0.1"
    assert "Locking out" in caplog.text  # logged (user name and address masked)
    assert PASSWORD not in caplog.text


def test_the_lockout_is_per_user_and_address(client, staff):
    for _ in range(LIMIT):
        login(client, "/accounts/login/", "aigul", "wrong")
    # Another address for the same user, and another user from the same address, still log in.
    response = login(client, "/accounts/login/", "aigul", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302 and logged_in(client)
    client.logout()
    response = login(client, "/admin/login/", "root", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_after_the_cool_down_the_right_password_works_again(client, staff, settings):
    for _ in range(LIMIT):
        login(client, "/accounts/login/", "aigul", "wrong")
    assert login(client, "/accounts/login/", "aigul", PASSWORD).status_code == 429
    # The cool-down has passed: attempts older than it no longer count.
    settings.AXES_COOLOFF_TIME = dt.timedelta(microseconds=1)
    response = login(client, "/accounts/login/", "aigul", PASSWORD)
    assert response.status_code == 302 and logged_in(client)
    assert AccessLog.objects.filter(username="aigul", ip_address="10.0.0.1").exists()


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Too many login attempts"),
        ("ru", "Слишком много попыток входа"),
        ("kk", "Кіру әрекеттері тым көп"),
    ],
)
def test_the_lockout_page_speaks_the_users_language(client, staff, language, title):
    for _ in range(LIMIT):
        login(client, "/accounts/login/", "aigul", "wrong", language=language)
    response = login(client, "/accounts/login/", "aigul", PASSWORD, language=language)
    assert response.status_code == 429
    page = response.content.decode()
    assert title in page and "15" in page


def test_behind_the_proxy_the_address_is_the_one_nginx_saw(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="127.0.0.1")
    settings.CLIENT_IP_FROM_FORWARDED_FOR = True
    assert client_ip(request) == "10.1.2.3"
    settings.CLIENT_IP_FROM_FORWARDED_FOR = False
    assert client_ip(request) == "127.0.0.1"
