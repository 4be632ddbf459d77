"""The report's contractor and official sections, read from the contractors app's scorecards.

`contractors.scorecards` computes them (issue 4); this module only turns its rows into plain
data for the report. While that module is not in the build, both sections are `None` and the
report says they are not available, rather than showing figures nobody computed.
"""

from __future__ import annotations

import importlib
from typing import Any

from reports.periods import Period, Scope


def _module():
    try:
        return importlib.import_module("contractors.scorecards")
    except ModuleNotFoundError:
        return None


def available() -> bool:
    module = _module()
    return bool(module and hasattr(module, "contractor_scorecards"))


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (int, str, bool)):
        return value
    return str(value)


def _filters(scope: Scope) -> dict[str, Any]:
    return {
        "region": scope.region,
        "district": scope.district,
        "department": scope.department,
    }


def contractor_rows(scope: Scope, period: Period) -> list[dict[str, Any]] | None:
    module = _module()
    if module is None or not hasattr(module, "contractor_scorecards"):
        return None
    rows = module.contractor_scorecards(
        period.start, period.end, contractor=scope.contractor, **_filters(scope)
    )
    fields = (
        "contractor_id",
        "legal_name",
        "bin",
        "orders",
        "on_time",
        "on_time_rate",
        "avg_working_days_late",
        "returned_at_verification",
        "reopened_after_verification",
        "warranty_claims",
    )
    return [{f: _plain(getattr(row, f, None)) for f in fields} for row in rows]


def official_rows(scope: Scope, period: Period) -> list[dict[str, Any]] | None:
    module = _module()
    if module is None or not hasattr(module, "official_failed_signoffs"):
        return None
    rows = module.official_failed_signoffs(period.start, period.end, **_filters(scope))
    fields = ("user_id", "name", "role", "signoffs", "failed", "failed_case_ids")
    return [{f: _plain(getattr(row, f, None)) for f in fields} for row in rows]
