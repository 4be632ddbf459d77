"""SQLite's LIKE folds case for ASCII only, so `icontains` misses "маресьева" in "Маресьева".
The embedded mode (SQLite) replaces LIKE with a Unicode-aware version; PostgreSQL needs nothing."""

from __future__ import annotations

import re
from functools import lru_cache

from django.db.backends.signals import connection_created
from django.dispatch import receiver


@lru_cache(maxsize=256)
def _pattern(like: str, escape: str | None) -> re.Pattern[str]:
    parts, i = [], 0
    while i < len(like):
        char = like[i]
        if escape and char == escape and i + 1 < len(like):
            parts.append(re.escape(like[i + 1]))
            i += 2
            continue
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE)


def unicode_like(pattern: str | None, value: str | None, escape: str | None = None) -> bool | None:
    if pattern is None or value is None:
        return None
    return _pattern(pattern.casefold(), escape).fullmatch(str(value).casefold()) is not None


@receiver(connection_created)
def _install(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, unicode_like, deterministic=True)
        connection.connection.create_function("like", 3, unicode_like, deterministic=True)
