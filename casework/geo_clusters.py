"""Cases on a map, clustered on the server: a GeoJSON FeatureCollection for a bounding box and a
zoom level, never more than `MAX_FEATURES` features whatever the number of cases.

The contract (shared by the staff map and the public map): `bbox=west,south,east,north` in
degrees and `zoom` 0–19; every feature has `properties.kind` (`cluster` or `case`) and
`properties.count` (1 for a case); clusters carry `properties.states` (cases per state) and
`properties.bounds` (west, south, east, north of their cases).

How: the world is cut into a grid of square cells (in degrees) about `CELL_PX` screen pixels wide
at the zoom asked for, anchored at (-180, -90) so that cells stay put while the map pans. One SQL
GROUP BY on floor((lon + 180) / cell), floor((lat + 90) / cell) and the state counts each cell;
a cell with one case becomes that case, any other a cluster. When the box would hold more than
`MAX_CELLS` cells (a whole country asked for at street zoom) the cells grow, so the answer stays
small. Plain arithmetic, FLOOR and CAST: the same on PostgreSQL and on SQLite.

The caller brings the cases (already scoped and filtered: staff scope, or public categories only)
and says what a case feature shows (`describe`); nothing here decides who sees what.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, FloatField, IntegerField, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Cast, Floor
from django.utils.translation import gettext_lazy as _

from casework.models import Case

MIN_ZOOM, MAX_ZOOM = 0, 19
# Every feature is one cell at most, so this bounds the answer (about 2,000 features).
MAX_CELLS = 1600
MAX_FEATURES = 2000
# A cell is about this many pixels wide on screen (a tile is 256 pixels).
CELL_PX = 64
# From this zoom on, every case in the box is its own feature when there are at most
# MAX_FEATURES of them: cases in one building are no longer merged.
POINTS_FROM_ZOOM = 18


class MapQueryError(ValueError):
    """A bounding box or zoom the map cannot answer; `errors` maps the parameter to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float


@dataclass(frozen=True)
class MapView:
    bbox: BBox
    zoom: int


def _bbox_parse(text: str) -> BBox:
    parts = text.split(",")
    if len(parts) != 4:
        raise MapQueryError({"bbox": str(_("Give bbox as four numbers: west,south,east,north."))})
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise MapQueryError(
            {"bbox": str(_("Give bbox as four numbers: west,south,east,north."))}
        ) from None
    if not all(math.isfinite(value) for value in (west, south, east, north)):
        raise MapQueryError({"bbox": str(_("Give bbox as four numbers: west,south,east,north."))})
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise MapQueryError({"bbox": str(_("Longitudes must lie between -180 and 180."))})
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise MapQueryError({"bbox": str(_("Latitudes must lie between -90 and 90."))})
    if west > east or south > north:
        raise MapQueryError({"bbox": str(_("West must not exceed east, nor south exceed north."))})
    return BBox(west, south, east, north)


def _zoom_parse(text: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or not MIN_ZOOM <= int(text) <= MAX_ZOOM:
        raise MapQueryError(
            {
                "zoom": str(
                    _("The zoom must be a whole number from %(min)d to %(max)d.")
                    % {"min": MIN_ZOOM, "max": MAX_ZOOM}
                )
            }
        )
    return int(text)


def map_view_parse(bbox: str | None, zoom: str | None) -> MapView:
    """The view asked for in a request's `bbox` and `zoom`; MapQueryError names each bad one."""
    errors: dict[str, str] = {}
    parsed: dict[str, object] = {}
    for name, text, parse in (("bbox", bbox, _bbox_parse), ("zoom", zoom, _zoom_parse)):
        if not text:
            errors[name] = str(_("This parameter is required."))
            continue
        try:
            parsed[name] = parse(text)
        except MapQueryError as error:
            errors.update(error.errors)
    if errors:
        raise MapQueryError(errors)
    return MapView(parsed["bbox"], parsed["zoom"])


# --- the grid (pure arithmetic; the SQL below computes the very same) ----------------------------


def grid_cell(lon: float, lat: float, size: float) -> tuple[int, int]:
    """The cell (column, row) holding a point, for cells `size` degrees wide."""
    return math.floor((lon + 180.0) / size), math.floor((lat + 90.0) / size)


def grid_cells_in(bbox: BBox, size: float) -> int:
    west, south = grid_cell(bbox.west, bbox.south, size)
    east, north = grid_cell(bbox.east, bbox.north, size)
    return (east - west + 1) * (north - south + 1)


def grid_cell_size(view: MapView) -> float:
    """Degrees per cell: about CELL_PX pixels at the zoom, doubled until the box holds at most
    MAX_CELLS cells (doubling keeps the coarser grid aligned with the finer one)."""
    size = 360.0 / (2**view.zoom) * CELL_PX / 256
    while grid_cells_in(view.bbox, size) > MAX_CELLS:
        size *= 2
    return size


# --- the query -----------------------------------------------------------------------------------


def cases_in_bbox(cases: QuerySet[Case], bbox: BBox) -> QuerySet[Case]:
    """The cases with a point inside the box (edges included)."""
    return cases.filter(
        longitude__gte=Decimal(repr(bbox.west)),
        longitude__lte=Decimal(repr(bbox.east)),
        latitude__gte=Decimal(repr(bbox.south)),
        latitude__lte=Decimal(repr(bbox.north)),
    )


def _cell_counts(cases: QuerySet[Case], size: float) -> list[dict]:
    lon = Cast("longitude", FloatField())
    lat = Cast("latitude", FloatField())
    return list(
        cases.order_by()
        .annotate(
            cx=Cast(Floor((lon + 180.0) / size), IntegerField()),
            cy=Cast(Floor((lat + 90.0) / size), IntegerField()),
        )
        .values("cx", "cy", "state")
        .annotate(
            n=Count("id"),
            lon_sum=Sum(lon),
            lat_sum=Sum(lat),
            west=Min(lon),
            east=Max(lon),
            south=Min(lat),
            north=Max(lat),
            first=Min("id"),
        )
    )


def _point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


def _case_feature(case: Case, describe: Callable[[Case], dict]) -> dict:
    return {
        "type": "Feature",
        "geometry": _point(float(case.longitude), float(case.latitude)),
        "properties": {"kind": "case", "count": 1, "state": case.state, **describe(case)},
    }


@dataclass
class _Cell:
    """One grid cell's cases, folded from its rows (one row per state)."""

    count: int = 0
    lon_sum: float = 0.0
    lat_sum: float = 0.0
    states: dict[str, int] = field(default_factory=dict)
    first: int | None = None  # the lowest case id: the case itself when count is 1
    bounds: tuple[float, float, float, float] | None = None

    def add(self, row: dict) -> None:
        self.count += row["n"]
        self.lon_sum += row["lon_sum"]
        self.lat_sum += row["lat_sum"]
        self.states[row["state"]] = row["n"]
        if row["first"] is not None:
            self.first = row["first"] if self.first is None else min(self.first, row["first"])
        box = (row["west"], row["south"], row["east"], row["north"])
        old = self.bounds or box
        self.bounds = (
            min(old[0], box[0]),
            min(old[1], box[1]),
            max(old[2], box[2]),
            max(old[3], box[3]),
        )

    def feature(self) -> dict:
        return {
            "type": "Feature",
            "geometry": _point(self.lon_sum / self.count, self.lat_sum / self.count),
            "properties": {
                "kind": "cluster",
                "count": self.count,
                "states": dict(sorted(self.states.items())),
                "bounds": [round(value, 6) for value in self.bounds],
            },
        }


def _cases_in_cells(cases: QuerySet[Case], keys: list[tuple[int, int]], size: float) -> list[Case]:
    """The cases lying in the given cells (row, column) of the grid: one query over the cells'
    boxes, then the cell of each case checked by the same arithmetic as the grouping."""
    wanted = set(keys)
    margin = 1e-6
    where = Q()
    for cy, cx in keys:
        west, south = cx * size - 180.0, cy * size - 90.0
        where |= Q(
            longitude__gte=Decimal(repr(round(west - margin, 7))),
            longitude__lte=Decimal(repr(round(west + size + margin, 7))),
            latitude__gte=Decimal(repr(round(south - margin, 7))),
            latitude__lte=Decimal(repr(round(south + size + margin, 7))),
        )
    found = []
    for case in cases.filter(where).order_by("id"):
        cx, cy = grid_cell(float(case.longitude), float(case.latitude), size)
        if (cy, cx) in wanted:
            found.append(case)
    return found


def cluster_collection(
    cases: QuerySet[Case],
    view: MapView,
    describe: Callable[[Case], dict],
    counted: Callable[[BBox, float], list[dict] | None] | None = None,
) -> dict:
    """The FeatureCollection for `cases` (scoped and filtered by the caller) inside the view.
    Foreign members: `zoom`, `cell` (degrees) and `total` (cases in the box).

    `counted(bbox, size)` may give the cell rows ready counted (casework.map_cells: the same
    cases, counted as they changed); when it gives None the cases in the box are grouped."""
    placed = cases_in_bbox(cases, view.bbox)
    size = grid_cell_size(view)
    rows = counted(view.bbox, size) if counted is not None else None
    grouped = rows is None
    cells: dict[tuple[int, int], _Cell] = {}
    for row in _cell_counts(placed, size) if grouped else rows:
        cells.setdefault((row["cy"], row["cx"]), _Cell()).add(row)
    total = sum(cell.count for cell in cells.values())
    if view.zoom >= POINTS_FROM_ZOOM and total <= MAX_FEATURES:
        singles, clusters = list(placed.order_by("id")), []
    else:
        clusters = [cells[key] for key in sorted(cells) if cells[key].count > 1]
        if grouped:
            ids = [cell.first for cell in cells.values() if cell.count == 1]
            singles = list(placed.filter(pk__in=ids).order_by("id")) if ids else []
        else:
            keys = [key for key in sorted(cells) if cells[key].count == 1]
            singles = _cases_in_cells(cases, keys, size) if keys else []
    features = [_case_feature(case, describe) for case in singles]
    features += [cell.feature() for cell in clusters]
    return {
        "type": "FeatureCollection",
        "bbox": [view.bbox.west, view.bbox.south, view.bbox.east, view.bbox.north],
        "zoom": view.zoom,
        "cell": size,
        "total": total,
        "features": features,
    }


def cases_extent(cases: QuerySet[Case]) -> BBox | None:
    """The smallest box around the cases that have a point; None when none has."""
    extent = (
        cases.order_by()
        .filter(longitude__isnull=False, latitude__isnull=False)
        .aggregate(
            west=Min("longitude"),
            south=Min("latitude"),
            east=Max("longitude"),
            north=Max("latitude"),
        )
    )
    if extent["west"] is None:
        return None
    return BBox(*(float(extent[key]) for key in ("west", "south", "east", "north")))
