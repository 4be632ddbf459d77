"""Sections of the monthly report that apps above reports provide: reports may not import them
(layering), so they register a function here from their AppConfig.ready, as oversight fills
`contractors.notices.register_department_heads`. Nothing registered, no section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reports.periods import Period, Scope

# (scope, month) -> plain rows (JSON-serialisable: the gathered data is stored)
RatingRows = Callable[[Scope, Period], list[dict[str, Any]]]
_ratings: list[RatingRows] = []


def register_ratings_rows(rows: RatingRows) -> None:
    _ratings[:] = [rows]


def ratings_rows(scope: Scope, period: Period) -> list[dict[str, Any]]:
    return [row for rows in _ratings for row in rows(scope, period)]
