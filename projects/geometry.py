"""GeoJSON geometries of projects: a Point, a LineString (a road) or a Polygon (a yard), in
WGS 84 longitude/latitude. Checked here, with a clear message, before anything is saved."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KINDS = ("Point", "LineString", "Polygon")


def _positions(geometry: dict[str, Any]) -> Iterator[list[float]]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        yield coords
    elif kind == "LineString":
        yield from coords
    else:
        for ring in coords:
            yield from ring


def geometry_validate(geometry: Any) -> None:
    """Raise ValidationError unless `geometry` is a Point, LineString or Polygon with longitudes
    in -180..180 and latitudes in -90..90."""
    if not isinstance(geometry, dict) or geometry.get("type") not in KINDS:
        raise ValidationError(_("The location must be a GeoJSON Point, LineString or Polygon."))
    try:
        positions = list(_positions(geometry))
        ok = bool(positions) and all(
            len(p) >= 2 and -180 <= float(p[0]) <= 180 and -90 <= float(p[1]) <= 90
            for p in positions
        )
    except (TypeError, ValueError, KeyError, IndexError):
        ok = False
    if not ok:
        raise ValidationError(
            _("The location's coordinates must be longitude, latitude pairs in degrees.")
        )
    if geometry["type"] == "LineString" and len(positions) < 2:
        raise ValidationError(_("A line needs at least two points."))
    if geometry["type"] == "Polygon" and any(
        len(ring) < 4 or ring[0] != ring[-1] for ring in geometry["coordinates"]
    ):
        raise ValidationError(_("A polygon's rings need four points or more and must close."))


def geometry_bbox(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a valid geometry."""
    geometry_validate(geometry)
    positions = list(_positions(geometry))
    lons = [float(p[0]) for p in positions]
    lats = [float(p[1]) for p in positions]
    return min(lons), min(lats), max(lons), max(lats)


EARTH_RADIUS_M = 6_371_000.0
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


def _to_xy(lon: float, lat: float, lat0: float) -> tuple[float, float]:
    """Metres on a local flat plane around latitude `lat0` (good to a fraction of a metre over
    the few kilometres a project spans)."""
    return lon * METRES_PER_DEGREE * math.cos(math.radians(lat0)), lat * METRES_PER_DEGREE


def _segment_distance(p, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _inside_ring(p, ring) -> bool:
    x, y = p
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def geometry_distance_m(geometry: dict[str, Any], lon: float, lat: float) -> float:
    """Metres from the point (lon, lat) to a valid geometry: 0 inside a polygon (outside its
    holes), else to the nearest point, line or ring edge."""
    lat0 = lat
    p = _to_xy(lon, lat, lat0)
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return math.dist(p, _to_xy(float(coords[0]), float(coords[1]), lat0))
    rings = [coords] if kind == "LineString" else coords
    xy_rings = [[_to_xy(float(c[0]), float(c[1]), lat0) for c in ring] for ring in rings]
    if kind == "Polygon":
        outer, holes = xy_rings[0], xy_rings[1:]
        if _inside_ring(p, outer) and not any(_inside_ring(p, hole) for hole in holes):
            return 0.0
    return min(
        _segment_distance(p, a, b)
        for ring in xy_rings
        for a, b in zip(ring, ring[1:], strict=False)
    )


def bbox_buffered(
    bbox: tuple[float, float, float, float], metres: float
) -> tuple[float, float, float, float]:
    """The bounding box grown by `metres` on every side."""
    west, south, east, north = bbox
    dlat = metres / METRES_PER_DEGREE
    coslat = max(0.01, math.cos(math.radians(max(abs(south), abs(north)))))
    dlon = dlat / coslat
    return west - dlon, south - dlat, east + dlon, north + dlat
