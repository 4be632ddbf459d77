"""Possible duplicates of a case, suggested to the clerk at triage (never merged automatically).

A case is a possible duplicate of another of the same category and region, within 50 m, received
within 30 days of it, that is open or was closed in the last 30 days. Cases without a map point
match on the same address instead. Merging is `case_reject(..., reason_code="duplicate",
duplicate_of=...)`, which keeps both histories.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from casework.models import Case
from casework.selectors import cases_visible_to
from casework.states import CLOSED_STATES

RADIUS_M = 50
WINDOW = dt.timedelta(days=30)
RECENTLY_CLOSED = dt.timedelta(days=30)
EARTH_RADIUS_M = 6_371_000
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


@dataclass(frozen=True)
class PossibleDuplicate:
    case: Case
    distance_m: float | None  # None when matched by address


def _distance_m(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def case_possible_duplicates(case: Case, *, limit: int = 10) -> list[PossibleDuplicate]:
    """Nearest first. The case itself and cases already marked as duplicates are left out."""
    candidates = (
        Case.objects.filter(
            category_id=case.category_id,
            region_id=case.region_id,
            duplicate_of__isnull=True,
            received_at__gte=case.received_at - WINDOW,
            received_at__lte=case.received_at + WINDOW,
        )
        .exclude(pk=case.pk)
        .filter(~Q(state__in=CLOSED_STATES) | Q(closed_at__gte=case.received_at - RECENTLY_CLOSED))
        .select_related("category", "district")
    )
    if case.latitude is None or case.longitude is None:
        address = (case.address or "").strip()
        if not address:
            return []
        # Compared here: SQLite's case-insensitive match knows only ASCII letters.
        wanted = " ".join(address.casefold().split())
        rows = candidates.filter(latitude__isnull=True).exclude(address="").order_by("-received_at")
        same = [row for row in rows[:1000] if " ".join(row.address.casefold().split()) == wanted]
        return [PossibleDuplicate(row, None) for row in same[:limit]]
    # A bounding box the database can use, then the exact distance here.
    dlat = Decimal(str(RADIUS_M / METRES_PER_DEGREE * 1.01))
    cos_lat = max(math.cos(math.radians(float(case.latitude))), 0.01)
    dlon = Decimal(str(RADIUS_M / (METRES_PER_DEGREE * cos_lat) * 1.01))
    boxed = candidates.filter(
        latitude__range=(case.latitude - dlat, case.latitude + dlat),
        longitude__range=(case.longitude - dlon, case.longitude + dlon),
    )
    found = []
    for row in boxed[:500]:
        metres = _distance_m(case.latitude, case.longitude, row.latitude, row.longitude)
        if metres <= RADIUS_M:
            found.append(PossibleDuplicate(row, round(metres, 1)))
    found.sort(key=lambda d: d.distance_m)
    return found[:limit]


def case_duplicates_visible_to(case: Case, user, *, limit: int = 5) -> list[PossibleDuplicate]:
    """The possible duplicates of `case` that `user` may see, nearest first (shown at triage)."""
    found = case_possible_duplicates(case, limit=limit * 2)
    visible = set(
        cases_visible_to(user)
        .filter(pk__in=[d.case.pk for d in found])
        .values_list("pk", flat=True)
    )
    return [d for d in found if d.case.pk in visible][:limit]
