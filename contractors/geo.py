"""Distances on the Earth's surface: in SQL on PostgreSQL (the earthdistance extension), and the
same great-circle formula in Python for SQLite and for single points."""

from __future__ import annotations

import math

from django.db import connection
from django.db.models import F, FloatField, Func, Value

# earthdistance's earth() radius, so that Python and SQL agree to the millimetre.
EARTH_RADIUS_M = 6_378_168.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """A latitude/longitude box that surely holds every point within `radius_m` (with margin)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M) * 1.05 + 1e-6
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def sql_distances() -> bool:
    return connection.vendor == "postgresql"


def distance_expression(lat_field: str, lon_field: str, lat: float, lon: float) -> Func:
    """earth_distance(ll_to_earth(field lat, field lon), ll_to_earth(lat, lon)) in metres."""
    here = Func(
        Value(float(lat)), Value(float(lon)), function="ll_to_earth", output_field=FloatField()
    )
    there = Func(F(lat_field), F(lon_field), function="ll_to_earth", output_field=FloatField())
    return Func(there, here, function="earth_distance", output_field=FloatField())
