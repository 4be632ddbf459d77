"""Django's Redis cache, finding the master through Redis Sentinel.

LOCATION is the broker's own `sentinel://host:port;sentinel://host:port/db` list; OPTIONS names
the master. Every command goes to the current master: after a failover the first command on an
old connection fails, the pool drops it and the next connection asks the sentinels again.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


def sentinel_addresses(servers: list[str]) -> tuple[list[tuple[str, int]], int, str | None]:
    """(host, port) of each sentinel, the database number and the password, from the URLs."""
    hosts: list[tuple[str, int]] = []
    db, password = 0, None
    for server in servers:
        parts = urlsplit(server)
        if parts.scheme != "sentinel":
            raise ValueError(f"not a sentinel:// URL: {server}")
        hosts.append((parts.hostname or "127.0.0.1", parts.port or 26379))
        if parts.path.strip("/"):
            db = int(parts.path.strip("/"))
        password = parts.password or password
    return hosts, db, password


class SentinelCacheClient(RedisCacheClient):
    def __init__(self, servers, *, master_name: str, socket_timeout: float = 2, **options):
        super().__init__(servers, **options)
        from redis.sentinel import Sentinel

        hosts, db, password = sentinel_addresses(servers)
        self._sentinel = Sentinel(
            hosts,
            socket_timeout=socket_timeout,
            sentinel_kwargs={"socket_timeout": socket_timeout},
        )
        self._master = self._sentinel.master_for(
            master_name,
            db=db,
            password=password,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
        )

    def get_client(self, key=None, *, write=False):
        return self._master


class SentinelRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SentinelCacheClient
