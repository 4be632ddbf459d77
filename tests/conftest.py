import os
import shutil
import tempfile

import pytest
from django.db import connection

from tests.factories import World

CI = os.environ.get("CI", "").lower() == "true"


def need(condition: bool, what: str) -> None:
    """Skip when a service is missing locally; fail under CI=true, where it must be there."""
    if condition:
        return
    if CI:
        pytest.fail(f"{what} is required under CI=true but is not available", pytrace=False)
    pytest.skip(f"needs {what}")


@pytest.fixture
def requires_postgres():
    need(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL=postgres://...)")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if url:
        try:
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        except Exception:
            url = ""
    need(bool(url), "Redis (set REDIS_URL=redis://...)")
    return url


@pytest.fixture(autouse=True)
def _media_in_tmp(settings):
    media = tempfile.mkdtemp(prefix="baqylau-media-")
    private = tempfile.mkdtemp(prefix="baqylau-private-")
    settings.MEDIA_ROOT = media
    settings.PRIVATE_MEDIA_ROOT = private
    yield
    shutil.rmtree(media, ignore_errors=True)
    shutil.rmtree(private, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    from casework.deadlines import calendar_forget

    calendar_forget()
    yield
    calendar_forget()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, as it would alone: requests made by an earlier
    test in the same process leave theirs active in the thread."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture(scope="session", autouse=True)
def _own_cache_keys_deleted_at_the_end():
    """The run's cache keys (rate-limit counters and the like) leave the shared Redis with it."""
    yield
    from tests.cache_keys import cache_clear_own_quietly

    cache_clear_own_quietly()


@pytest.fixture(scope="session", autouse=True)
def _flush_past_audit_triggers():
    """Transactional tests on PostgreSQL empty tables between tests. The audit triggers refuse
    DELETE and TRUNCATE (that is their job), so the test flush runs as a replication session,
    for which ordinary triggers do not fire. Only a superuser may do that; production's
    application role cannot."""
    if connection.vendor != "postgresql":
        yield
        return
    ops = type(connection.ops)
    original = ops.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements:
            return statements
        return [
            "SET session_replication_role = replica",
            *statements,
            "SET session_replication_role = DEFAULT",
        ]

    ops.sql_flush = sql_flush
    yield
    ops.sql_flush = original


def pytest_configure(config):
    from django.conf import settings

    # Test users need no slow password hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # REDIS_URL may be shared (the broker's database under CI): keys of this run only.
    from tests.cache_keys import cache_isolate

    cache_isolate()
    # Tasks run in the calling process unless a test starts a real worker (those tests say so).
    from config.celery import app as celery_app

    celery_app.conf.task_always_eager = True


@pytest.fixture(scope="session")
def app_role(django_db_setup, django_db_blocker):
    """The application's database role (not the tables' owner) exists and may use the test
    database. On PostgreSQL only (skips elsewhere; fails under CI=true)."""
    from tests.pg_roles import APP_ROLE, app_role_grant

    with django_db_blocker.unblock():
        app_role_grant()
    return APP_ROLE
