"""The map's grid aggregate: cases counted per grid cell, level, state, category and district,
kept current by PostgreSQL as cases change, so that a zoomed-out view of a million cases reads a
few hundred rows instead of grouping every case in the box.

Why a trigger-kept table (migration 0014) and not the alternatives:
- grouping the cases per request (`geo_clusters`' own GROUP BY) reads every case in the box: a
  whole country at a million cases costs seconds, a street a few milliseconds;
- a materialised view per level would be stale between refreshes, and refreshing it on every case
  change re-reads all cases;
- counting in Python signals would miss rows written by SQL (bulk loads, repairs) and could
  disagree with the cases; the trigger runs in the writer's transaction whoever writes.
A case change costs one INSERT … ON CONFLICT of at most 2 × 18 rows (old cell −1, new cell +1 at
each level), in key order so that concurrent changes take their row locks in the same order.

Levels 0–`TOP_LEVEL` (cells 90 / 2**k degrees: the sizes `geo_clusters.grid_cell_size` picks);
finer views read the cases. A cell is counted whole: at the edge of the box a cluster may hold
cases just outside it. Filters the table cannot answer (period, repaired again, warranty) make
the caller group the cases themselves, as does SQLite, where the table stays empty.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, Max, QuerySet, Sum

from casework.geo_clusters import BBox, grid_cell
from casework.models import Case, CaseMapCell

TOP_LEVEL = 17  # as in migration 0014
# The cells read to find the district in view, and to version an area (for ETags).
AREA_LEVEL = 6  # cells of about 1.4 degrees


def available() -> bool:
    """The trigger exists on PostgreSQL only."""
    return connection.vendor == "postgresql"


def level_of(size: float) -> int | None:
    """The level whose cells are `size` degrees wide, if the table keeps it."""
    level = round(math.log2(90.0 / size))
    if 0 <= level <= TOP_LEVEL and 90.0 / 2**level == size:
        return level
    return None


def _cells(level: int, bbox: BBox, *, counted: bool = True) -> QuerySet[CaseMapCell]:
    size = 90.0 / 2**level
    west, south = grid_cell(bbox.west, bbox.south, size)
    east, north = grid_cell(bbox.east, bbox.north, size)
    cells = CaseMapCell.objects.filter(
        level=level, cx__gte=west, cx__lte=east, cy__gte=south, cy__lte=north
    )
    return cells.filter(n__gt=0) if counted else cells


def _narrowed(
    cells: QuerySet[CaseMapCell],
    categories: Iterable[int],
    states: Iterable[str] | None,
    districts: Iterable[int] | None,
) -> QuerySet[CaseMapCell]:
    cells = cells.filter(category_id__in=list(categories))
    if states is not None:
        cells = cells.filter(state__in=list(states))
    if districts is not None:
        cells = cells.filter(district_id__in=list(districts))
    return cells


def cell_counts(
    bbox: BBox,
    size: float,
    *,
    categories: Iterable[int],
    states: Iterable[str] | None = None,
    districts: Iterable[int] | None = None,
) -> list[dict] | None:
    """Rows per (cell, state) as `geo_clusters` groups them (cx, cy, state, n, coordinate sums,
    the cell's own bounds), for the cases of `categories` (and `states`, `districts` when given);
    None when the table cannot answer this size or this database."""
    level = level_of(size)
    if level is None or not available():
        return None
    rows = (
        _narrowed(_cells(level, bbox), categories, states, districts)
        .order_by()
        .values("cx", "cy", "state")
        .annotate(n=Sum("n"), lon_sum=Sum("lon_sum"), lat_sum=Sum("lat_sum"))
    )
    answer = []
    for row in rows:
        if not row["n"]:
            continue
        west, south = row["cx"] * size - 180.0, row["cy"] * size - 90.0
        row.update(west=west, south=south, east=west + size, north=south + size, first=None)
        answer.append(row)
    return answer


def district_in_view(bbox: BBox, cases: QuerySet[Case], categories: Iterable[int]) -> int | None:
    """The district with the most of `cases` (of `categories`) in the box: from the coarse cells
    on PostgreSQL, else by grouping the cases."""
    if available():
        row = (
            _narrowed(_cells(AREA_LEVEL, bbox), categories, None, None)
            .order_by()
            .values("district_id")
            .annotate(total=Sum("n"))
            .order_by("-total", "district_id")
            .first()
        )
        return row["district_id"] if row and row["total"] else None
    from casework.geo_clusters import cases_in_bbox

    row = (
        cases_in_bbox(cases, bbox)
        .order_by()
        .values("district_id")
        .annotate(total=Count("id"))
        .order_by("-total", "district_id")
        .first()
    )
    return row["district_id"] if row else None


def area_version(bbox: BBox) -> tuple[str, dt.datetime | None] | None:
    """A token that changes whenever a case with a point in the box's area changes (its coarse
    cells' versions) and when that last happened; None where the table is not kept."""
    if not available():
        return None
    figures = _cells(AREA_LEVEL, bbox, counted=False).aggregate(
        versions=Sum("version"), rows=Count("id"), changed=Max("changed_at")
    )
    return f"{figures['rows']}.{figures['versions'] or 0}", figures["changed"]
