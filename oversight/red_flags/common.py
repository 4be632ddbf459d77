"""Reads several indicators share: a case's name and place, the person of a user, the money of the
acts in force on a case. Each is one query for a set of ids, never one per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from casework.models import Case, CaseEvent
from oversight.models import AcceptanceAct, AcceptanceActSignatory, Person
from oversight.red_flags.base import Scope, ids_of


def cases_info(case_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    rows = Case.objects.filter(pk__in=ids).values(
        "id", "tracking_code", "title", "region_id", "district_id", "department_id"
    )
    return {row["id"]: row for row in rows}


def case_name(info: dict[str, Any]) -> str:
    return f"{info['tracking_code']} — {info['title']}"[:400]


def persons_of_users(user_ids: Iterable[int | None]) -> dict[int, int]:
    """user id -> person id, for users that have a person record."""
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return {}
    return dict(Person.objects.filter(user_id__in=ids).values_list("user_id", "id"))


def person_names(person_ids: Iterable[int | None]) -> dict[int, str]:
    ids = sorted({i for i in person_ids if i})
    if not ids:
        return {}
    return dict(Person.objects.filter(pk__in=ids).values_list("id", "full_name"))


@dataclass(frozen=True)
class ActsInForce:
    """What the acts in force (not superseded) on a case charged, and the latest of them."""

    money_kzt: Decimal
    latest_id: int
    inspector_id: int | None


# Static SQL for the checks that run after every acceptance: built by the ORM, this query's
# subquery and reverse join cost more Python than the database spends answering it.
_ACT = AcceptanceAct._meta.db_table
_SIGNATORY = AcceptanceActSignatory._meta.db_table
_ACTS_IN_FORCE_SQL = (
    f"SELECT a.case_id, a.id, a.amount_kzt, "  # noqa: S608 (table names from the models)
    f"(SELECT s.person_id FROM {_SIGNATORY} s WHERE s.act_id = a.id AND s.role = %s LIMIT 1) "
    f"FROM {_ACT} a WHERE a.case_id IN ({{ids}}) "
    f"AND NOT EXISTS (SELECT 1 FROM {_ACT} b WHERE b.supersedes_id = a.id) "
    f"ORDER BY a.signed_at, a.id"
)
_ID_CHUNK = 10_000


def acts_in_force_by_case(case_ids: Iterable[int]) -> dict[int, ActsInForce]:
    """case id -> its acts in force, in one query (per 10,000 cases)."""
    ids = sorted(set(case_ids))
    acts: dict[int, ActsInForce] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            sql = _ACTS_IN_FORCE_SQL.format(ids=", ".join(["%s"] * len(chunk)))
            cursor.execute(sql, [AcceptanceActSignatory.Role.INSPECTOR.value, *chunk])
            for case_id, act_id, amount, inspector in cursor.fetchall():
                amount = amount if isinstance(amount, Decimal) else Decimal(str(amount))
                money = (acts[case_id].money_kzt if case_id in acts else Decimal("0")) + amount
                acts[case_id] = ActsInForce(money, act_id, inspector)
    return acts


def case_conditions(scope: Scope | None, column: str) -> Iterator[tuple[str, list[int]]]:
    """The scope's cases as SQL conditions on `column` with their parameters, like
    `base.case_filter`: nothing for the full pass, the range of a chunk, or the case ids (one
    condition per 10,000 of them); none at all when the scope names no case."""
    if scope is None:
        yield "TRUE", []
    elif scope.case_range is not None:
        low, high = scope.case_range
        yield f"{column} >= %s AND {column} < %s", [low, high]
    else:
        ids = sorted(ids_of(scope, "cases") or ())
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            yield f"{column} IN ({', '.join(['%s'] * len(chunk))})", chunk


def decimal_of(value: Any) -> Decimal:
    """A decimal column as a raw cursor returns it (SQLite: a float or an int)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def moment_of(value: Any) -> dt.datetime | None:
    """A timestamp column as a raw cursor returns it (SQLite: naive UTC, or text), aware."""
    if value is None or value == "":
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def plus_minutes(column: str) -> str:
    """SQL for the timestamp `column` plus a parameter's number of minutes (the parameter from
    `minutes_param`), as the ORM spells it on each backend."""
    if connection.vendor == "sqlite":
        return f"django_format_dtdelta('+', {column}, %s)"
    return f"({column} + %s * INTERVAL '1 minute')"


def minutes_param(minutes: int) -> int:
    return minutes * 60_000_000 if connection.vendor == "sqlite" else minutes


def inspectors_of_acts(act_ids: Iterable[int]) -> dict[int, int]:
    """act id -> the person who signed it as the inspector."""
    ids = sorted(set(act_ids))
    if not ids:
        return {}
    return dict(
        AcceptanceActSignatory.objects.filter(
            act_id__in=ids, role=AcceptanceActSignatory.Role.INSPECTOR
        ).values_list("act_id", "person_id")
    )


def event_label(tracking_code: str, seq: int | None) -> str:
    """An event named by its case and its number on the case (the view adds what it was)."""
    return f"{tracking_code} #{seq}" if seq is not None else tracking_code


def event_seqs(event_ids: Iterable[int]) -> dict[int, int]:
    """event id -> its number on its case. Read apart, not joined: a reference to an audit row
    has no database constraint, and a hit must not vanish with a row that cannot be read."""
    ids = sorted(set(event_ids))
    if not ids:
        return {}
    return dict(CaseEvent.objects.filter(pk__in=ids).values_list("id", "seq"))
