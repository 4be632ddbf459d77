"""Reads that may go to the streaming replica, and the database router that sends them there.

With `DATABASE_REPLICA_URL` set, settings add a `replica` database. Only work that asks for it
goes there: code wraps heavy read-only work (monthly reports, scorecards, the public map, ratings,
open data) in `replica_reads()`. Everything else, and every write, stays on `default`. Within one
request or task, once anything has been written (or a transaction is open on `default`), reads
stay on `default` too, so nobody reads past their own write through a lagging replica.

Raw SQL takes its connection from `read_alias()` instead of `django.db.connection`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

# None: reads stay on default. "strict": replica unless this unit of work has written.
# "any": replica even after this unit's own writes (they are bookkeeping the reads never see).
_replica_mode: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "baqylau_replica_mode", default=None
)
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("baqylau_wrote", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads(*, after_own_writes: bool = False) -> Iterator[None]:
    """Inside this block, reads may be served by the replica (when there is one).

    `after_own_writes=True` is for work whose reads never include what it wrote itself (a report
    run marks its own progress, then reads the month's cases): its reads go to the replica even
    after those writes. Without it, the first write of the request or task ends replica reads."""
    token = _replica_mode.set("any" if after_own_writes else "strict")
    try:
        yield
    finally:
        _replica_mode.reset(token)


def unit_of_work_start() -> None:
    """A new request or task begins: nothing has been written in it yet."""
    _wrote.set(False)


def write_noted() -> None:
    _wrote.set(True)


def read_alias() -> str:
    """The database alias a read should use right now."""
    mode = _replica_mode.get()
    if mode is None or not replica_configured():
        return DEFAULT_DB_ALIAS
    if mode == "any":
        return REPLICA
    if _wrote.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads as `read_alias()` says, writes and migrations on default.

    Other aliases that point at the primary itself (`direct`, for the webhooks' prepared
    statement past PgBouncer) are chosen explicitly by the code that uses them."""

    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        write_noted()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
