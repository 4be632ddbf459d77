"""The suite shares REDIS_URL with others (the broker's database under CI): it touches only
keys of its own run."""

import uuid

import pytest
import redis
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

from tests.cache_keys import RUN_PREFIX, cache_clear_own
from tests.workflows.test_worker import private_redis  # noqa: F401 (a fixture)

pytestmark = pytest.mark.redis


def test_clearing_the_cache_deletes_this_runs_keys_and_nobody_elses(redis_url):
    foreign = f"someone-else-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(redis_url)
    client.set(foreign, "kept", ex=60)
    try:
        cache.set("rate-limit-probe", 1, 60)
        assert client.keys(f"{RUN_PREFIX}:*"), "the suite's cache keys carry its run prefix"

        cache_clear_own()

        assert cache.get("rate-limit-probe") is None
        assert client.get(foreign) == b"kept"
    finally:
        client.delete(foreign)


def test_flushing_a_redis_cache_is_refused(private_redis):  # noqa: F811 (the fixture)
    """On a redis-server of this test's own, so that a broken guard flushes nobody else's keys."""
    own = RedisCache(private_redis.url, {"KEY_PREFIX": RUN_PREFIX})
    own.set("kept", 1, 60)
    with pytest.raises(AssertionError, match="FLUSHDB"):
        own.clear()
    assert own.get("kept") == 1
