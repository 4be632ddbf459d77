"""Placing a complaint: the district of a map point, and the category a text names."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import NamedTuple

from casework.models import Category, District
from intake import conf
from intake.models import DistrictArea

EARTH_RADIUS_M = 6_371_000
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
STEM = 5
# Stems too common in category names to tell one category from another.
GENERIC_STEMS = frozenset({"сообщ", "хабар", "турал", "repor", "вокру", "айнал", "about"})


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def district_at(latitude: Decimal | None, longitude: Decimal | None) -> District | None:
    """The district whose area holds the point (the nearest centre if areas overlap)."""
    if latitude is None or longitude is None:
        return None
    best: tuple[float, District] | None = None
    for area in DistrictArea.objects.select_related("district__region"):
        metres = distance_m(
            float(latitude), float(longitude), float(area.latitude), float(area.longitude)
        )
        if metres <= area.radius_km * 1000 and (best is None or metres < best[0]):
            best = (metres, area.district)
    return best[1] if best else None


class Placement(NamedTuple):
    """Where a complaint goes: its district, or why the point was refused ("in_other": in the
    area of `found`, another district; "outside_chosen": outside the chosen district's area;
    "outside_all": in no district's area)."""

    district: District | None
    refusal: str = ""
    found: District | None = None


def district_from_point(
    latitude: Decimal | None, longitude: Decimal | None, chosen: District | None
) -> Placement:
    """The district of a complaint placed on the map, checked against the one chosen (the web
    form's choice, the clerk's own district). Without district areas, or without a point, the
    chosen district stands unchecked (None if none was chosen)."""
    if latitude is None or longitude is None or not DistrictArea.objects.exists():
        return Placement(chosen)
    found = district_at(latitude, longitude)
    if chosen is None:
        return Placement(found) if found is not None else Placement(None, "outside_all")
    if found is None:
        if DistrictArea.objects.filter(district=chosen).exists():
            return Placement(None, "outside_chosen")
        return Placement(chosen)
    if found.pk != chosen.pk:
        return Placement(None, "in_other", found)
    return Placement(chosen)


def map_centres() -> dict[str, list[float]]:
    """Each district with an area: [latitude, longitude, radius in km], for the map picker."""
    return {
        str(area.district_id): [float(area.latitude), float(area.longitude), area.radius_km]
        for area in DistrictArea.objects.all()
    }


def default_district() -> District | None:
    code = conf.default_district_code()
    if not code:
        return None
    return District.objects.select_related("region").filter(code=code).first()


def default_category() -> Category | None:
    code = conf.default_category_code()
    return Category.objects.filter(code=code).first() if code else None


def _stems(text: str) -> set[str]:
    return {w.lower()[:STEM] for w in WORD.findall(text) if len(w) >= 4} - GENERIC_STEMS


def category_named_in(text: str) -> Category | None:
    """The one category whose name shares the most word stems with the text, if any."""
    words = _stems(text)
    if not words:
        return None
    scored = []
    for category in Category.objects.all():
        names = _stems(" ".join((category.name_kk, category.name_ru, category.name_en)))
        score = len(words & names)
        if score:
            scored.append((score, category))
    scored.sort(key=lambda pair: -pair[0])
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


def categories_numbered() -> list[Category]:
    return list(Category.objects.order_by("code"))
