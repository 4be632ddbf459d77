"""GeoJSON geometries of projects: a Point, a LineString (a road) or a Polygon (a yard), in
WGS 84 longitude/latitude. Checked here, with a clear message, before anything is saved."""

from __future__ import annotations

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
