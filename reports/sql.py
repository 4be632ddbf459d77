"""The few SQL fragments that differ between PostgreSQL and SQLite, and the working-day calendar.

Report figures are computed by SQL in the database. Both backends run the same queries; only
local dates, JSON fields and ISO timestamps from event payloads are spelled differently. The
calendar of working days comes from `casework.deadlines` (the one place that knows Kazakh working
days) and is handed to the query as a small inline table, so a report never writes to the
database and can run on a read replica.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from casework import deadlines
from casework.replica import read_alias

_SAFE_ZONE = re.compile(r"^[A-Za-z0-9_/+-]+$")
_SAFE_KEY = re.compile(r"^[a-z_]+$")


@dataclass(frozen=True)
class Dialect:
    vendor: str
    zone: str

    @classmethod
    def current(cls) -> Dialect:
        zone = settings.TIME_ZONE
        if not _SAFE_ZONE.match(zone):
            raise ValueError(f"unexpected TIME_ZONE {zone!r}")
        if connection.vendor not in ("postgresql", "sqlite"):
            raise NotImplementedError(
                f"reports support PostgreSQL and SQLite, not {connection.vendor}"
            )
        return cls(connection.vendor, zone)

    @property
    def pg(self) -> bool:
        return self.vendor == "postgresql"

    def local_date(self, column: str) -> str:
        if self.pg:
            return f"(({column}) AT TIME ZONE '{self.zone}')::date"
        return f"django_datetime_cast_date({column}, '{self.zone}', 'UTC')"

    def local_time(self, column: str) -> str:
        if self.pg:
            return f"(({column}) AT TIME ZONE '{self.zone}')::time"
        return f"django_datetime_cast_time({column}, '{self.zone}', 'UTC')"

    def local_month(self, column: str) -> str:
        if self.pg:
            return f"to_char(({column}) AT TIME ZONE '{self.zone}', 'YYYY-MM')"
        return f"substr({self.local_date(column)}, 1, 7)"

    def json_text(self, column: str, key: str) -> str:
        if not _SAFE_KEY.match(key):
            raise ValueError(key)
        if self.pg:
            return f"({column} ->> '{key}')"
        return f"json_extract({column}, '$.{key}')"

    def json_int(self, column: str, key: str) -> str:
        if self.pg:
            return f"({column} ->> '{key}')::int"
        return f"CAST(json_extract({column}, '$.{key}') AS INTEGER)"

    def iso_timestamp(self, text_expr: str) -> str:
        """An ISO 8601 string with an offset (as services write into payloads) as a timestamp
        comparable with the backend's own datetime columns."""
        if self.pg:
            return f"({text_expr})::timestamptz"
        # SQLite's datetime() applies the offset and yields UTC text, as Django stores it.
        return f"datetime({text_expr})"

    def in_ids(self, column: str, param: str) -> str:
        """`column` is one of the ids in parameter `param` (see `ids_param`): PostgreSQL probes
        the index with the array; SQLite reads the JSON list."""
        if not _SAFE_KEY.match(param):
            raise ValueError(param)
        if self.pg:
            return f"{column} = ANY(%({param})s)"
        return f"{column} IN (SELECT value FROM json_each(%({param})s))"  # noqa: S608

    def ids_param(self, ids: list[int]) -> Any:
        return list(ids) if self.pg else json.dumps(list(ids))

    def date_literal(self, day: dt.date) -> str:
        return f"DATE '{day.isoformat()}'" if self.pg else f"'{day.isoformat()}'"

    def ts_param(self, moment: dt.datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(moment)

    def moment_value(self, value: Any) -> dt.datetime | None:
        """A timestamp as the backend returns it (SQLite: UTC text), or an ISO string with an
        offset from a payload, as an aware datetime."""
        if value in (None, ""):
            return None
        if not isinstance(value, dt.datetime):
            value = dt.datetime.fromisoformat(str(value))
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

    def date_value(self, value: Any) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value)[:10])

    def calendar_cte(self, first: dt.date, last: dt.date) -> str:
        """`cal(day, wd, working)`: every day from `first` to `last`; `wd` counts working days
        up to and including the day, so working days between two dates is a subtraction and
        the n-th working day after a date is the working row with `wd` larger by n."""
        rows = []
        count = 0
        day = first
        while day <= last:
            working = deadlines.is_working_day(day)
            count += working
            rows.append(f"({self.date_literal(day)}, {count}, {int(working)})")
            day += dt.timedelta(days=1)
        return "cal(day, wd, working) AS (VALUES " + ", ".join(rows) + ")"


_snapshot_alias: contextvars.ContextVar[str] = contextvars.ContextVar(
    "report_snapshot_alias", default=DEFAULT_DB_ALIAS
)


@contextlib.contextmanager
def report_snapshot() -> Iterator[None]:
    """Run a report's queries in one transaction. On PostgreSQL: one snapshot for every figure
    (repeatable read), and hash joins instead of nested loops, which the planner would choose
    from its poor row estimates of the query's intermediate results. The database is chosen
    once, when the snapshot starts: the replica inside `replica_reads()` when there is one.

    No JIT compilation either: a join that can only be a nested loop (a calendar row picked by
    a constant date) still costs "disabled" (10^10) with nested loops off, which crosses every
    JIT threshold, and PostgreSQL then spent about 9 s compiling the case list's statement
    that runs in 0.5 s."""
    alias = read_alias()
    database = connections[alias]
    outermost = not database.in_atomic_block
    token = _snapshot_alias.set(alias)
    try:
        with transaction.atomic(using=alias):
            if database.vendor == "postgresql":
                with database.cursor() as cursor:
                    if outermost:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    cursor.execute("SET LOCAL enable_nestloop = off")
                    cursor.execute("SET LOCAL jit = off")
            yield
    finally:
        _snapshot_alias.reset(token)


def fetch_all(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connections[_snapshot_alias.get()].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_iter(sql: str, params: dict[str, Any], batch: int = 2000) -> Iterator[Sequence]:
    with connections[_snapshot_alias.get()].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch):
            yield from rows


def in_list(values: Iterable[str]) -> str:
    """A SQL list of fixed identifiers (action names, states): never user input."""
    items = []
    for value in values:
        if not _SAFE_KEY.match(value):
            raise ValueError(value)
        items.append(f"'{value}'")
    return "(" + ", ".join(items) + ")"
