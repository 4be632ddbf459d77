"""The report's contractor and official sections, read from the contractors app's scorecards.

`contractors.scorecards` computes them; this module only turns its rows into plain data for the
report, with each contractor's contract amounts as they stood at the period's end (the
contracts' history), so that a later change to a contract leaves a closed month alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from contractors.models import Contract
from contractors.scorecards import contractor_scorecards, official_failed_signoffs
from oversight.selectors import post_held
from reports.periods import Period, Scope


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (int, str, bool)):
        return value
    return str(value)


def _filters(scope: Scope) -> dict[str, Any]:
    # None filters nothing: the whole country.
    return {
        "region": scope.region,
        "district": scope.district,
        "department": scope.department,
    }


def contractor_rows(scope: Scope, period: Period) -> list[dict[str, Any]]:
    rows = contractor_scorecards(
        period.start, period.end, contractor=scope.contractor, **_filters(scope)
    )
    fields = (
        "contractor_id",
        "legal_name",
        "bin",
        "orders",
        "on_time",
        "late",
        "on_time_rate",
        "avg_working_days_late",
        "returned_at_verification",
        "reopened_after_verification",
        "warranty_claims",
    )
    amounts = contract_amounts(scope, period, [row.contractor_id for row in rows])
    return [
        {
            **{f: _plain(getattr(row, f, None)) for f in fields},
            "contracts_amount_kzt": amounts.get(row.contractor_id),
        }
        for row in rows
    ]


def contract_amounts(scope: Scope, period: Period, contractor_ids: list[int]) -> dict[int, str]:
    """contractor id -> the total amount (KZT, as text) of their contracts in force during the
    period, held by departments in scope. Each amount is the one recorded last before the
    period's end (the contract's history), or, for a contract entered later, the first one
    recorded: a later change of a contract leaves a closed month alone."""
    contracts = Contract.objects.filter(
        contractor_id__in=contractor_ids,
        starts_on__lte=period.last_day,
        ends_on__gte=period.month,
    )
    if scope.department is not None:
        contracts = contracts.filter(department_id=scope.department.pk)
    elif scope.district is not None:
        contracts = contracts.filter(department__district_id=scope.district.pk)
    elif scope.region is not None:
        contracts = contracts.filter(department__district__region_id=scope.region.pk)
    owner = dict(contracts.values_list("pk", "contractor_id"))
    history = Contract.history.filter(id__in=list(owner)).values_list("id", "amount_kzt")
    amounts = dict(
        history.filter(history_date__gte=period.end).order_by("id", "-history_date", "-history_id")
    )
    amounts.update(
        history.filter(history_date__lt=period.end).order_by("id", "history_date", "history_id")
    )
    totals: dict[int, Decimal] = {}
    for pk, amount in amounts.items():
        totals[owner[pk]] = totals.get(owner[pk], Decimal(0)) + amount
    return {pk: f"{amount:.2f}" for pk, amount in totals.items()}


def official_rows(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Each official's sign-offs, with the post they held on the period's last day (`post_id`:
    the title is looked up in the report's language, so the data hash is the same in all three)."""
    rows = official_failed_signoffs(period.start, period.end, **_filters(scope))
    fields = ("user_id", "name", "role", "signoffs", "failed", "failed_case_ids")
    last_moment = period.end - dt.timedelta(microseconds=1)
    result = []
    for row in rows:
        plain = {f: _plain(getattr(row, f, None)) for f in fields}
        held = post_held(row.user_id, last_moment, role=row.role) if row.user_id else None
        plain["post_id"] = held.position_id if held else None
        result.append(plain)
    return result
