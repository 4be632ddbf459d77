"""The suite's own keys in a Redis it shares with others.

REDIS_URL may name a database someone else uses (under CI it is the broker's). The suite writes
its cache keys under a prefix of its own run and deletes only those; FLUSHDB is refused.
"""

import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

RUN_PREFIX = f"baqylau-test-{uuid.uuid4().hex[:12]}"


def _refuse_flush(self):
    raise AssertionError(
        "clearing a Redis cache would FLUSHDB a Redis the suite shares: "
        "use tests.cache_keys.cache_clear_own()"
    )


def cache_isolate() -> None:
    """Give the default cache this run's prefix and make FLUSHDB through it an error.
    Call once, before the first use of the cache (pytest_configure)."""
    from django.test.signals import clear_cache_handlers

    caches = {alias: dict(options) for alias, options in settings.CACHES.items()}
    for options in caches.values():
        existing = options.get("KEY_PREFIX", "")
        options["KEY_PREFIX"] = f"{RUN_PREFIX}:{existing}" if existing else RUN_PREFIX
    settings.CACHES = caches
    clear_cache_handlers(setting="CACHES")
    RedisCache.clear = _refuse_flush


def cache_clear_own() -> int:
    """Delete this run's keys from the default cache (all of it when it lives in this process).
    Returns how many Redis keys went."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        caches["default"].clear()  # in this process: nobody else's
        return 0
    client = cache._cache.get_client(write=True)
    deleted = 0
    batch = []
    for key in client.scan_iter(match=f"{cache.key_prefix}:*", count=500):
        batch.append(key)
        if len(batch) == 500:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    return deleted


def cache_clear_own_quietly() -> None:
    """At the end of the run: this run's keys go; a Redis that went away meanwhile is no error."""
    import redis

    try:
        cache_clear_own()
    except redis.RedisError:
        pass
