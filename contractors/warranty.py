"""Warranty claims: a new complaint about a repair that was accepted and is still under warranty.

A new case of the same category within `conf.WARRANTY_RADIUS_M` of a case whose repair was
accepted (verified) within its contract's warranty period is linked to that repair when it opens:
the contractor owes the fix at no new cost (`work_order_issue` lets the officer issue it under the
original contract even after the contract ended), and the inspector who verified the failed
repair is recorded as having signed off work that failed.

On PostgreSQL the distance is computed in SQL with the earthdistance extension (migration 0004
creates it); elsewhere the bounding box is filtered in SQL and the great-circle distance of the
few candidates computed in Python with the same Earth radius.
"""

from __future__ import annotations

import datetime as dt

from casework.models import Case, CaseEvent
from contractors import conf
from contractors.geo import bounding_box, distance_expression, haversine_m, sql_distances
from contractors.models import WarrantyClaim, WorkOrder


def warranty_candidates(
    category_id: int, latitude: float, longitude: float, at: dt.datetime, *, exclude_case=None
) -> list[tuple[WorkOrder, float]]:
    """Accepted repairs of this category under warranty at `at`, within the radius, nearest
    first (the latest repair first among equals)."""
    radius = conf.WARRANTY_RADIUS_M
    south, north, west, east = bounding_box(latitude, longitude, radius)
    orders = WorkOrder.objects.filter(
        accepted_at__isnull=False,
        accepted_at__lte=at,
        warranty_ends_at__gte=at,
        case__category_id=category_id,
        case__latitude__gte=south,
        case__latitude__lte=north,
        case__longitude__gte=west,
        case__longitude__lte=east,
    ).select_related("case", "contract")
    if exclude_case is not None:
        orders = orders.exclude(case_id=exclude_case)
    if sql_distances():
        near = (
            orders.annotate(
                distance=distance_expression(
                    "case__latitude", "case__longitude", latitude, longitude
                )
            )
            .filter(distance__lte=radius)
            .order_by("distance", "-accepted_at", "-id")
        )
        return [(order, order.distance) for order in near]
    found = []
    for order in orders:
        distance = haversine_m(
            latitude, longitude, float(order.case.latitude), float(order.case.longitude)
        )
        if distance <= radius:
            found.append((order, distance))
    found.sort(key=lambda pair: (pair[1], -pair[0].accepted_at.timestamp(), -pair[0].pk))
    return found


def warranty_claim_link(case: Case, *, opened_at: dt.datetime) -> WarrantyClaim | None:
    """Link a just-opened case to the repair it complains about, if there is one. Runs inside
    `case_open`'s transaction. The claim is its own record (with history); no case event is
    added: opening stays one event, and locking the older case here could deadlock with a
    service working on it."""
    if case.latitude is None or case.longitude is None:
        return None
    candidates = warranty_candidates(
        case.category_id,
        float(case.latitude),
        float(case.longitude),
        opened_at,
        exclude_case=case.pk,
    )
    if not candidates:
        return None
    order, distance = candidates[0]
    verification = (
        CaseEvent.objects.filter(
            case_id=order.case_id, action="verify", created_at__lte=order.accepted_at
        )
        .order_by("-seq")
        .first()
    )
    claim = WarrantyClaim.objects.create(
        case=case,
        original_case_id=order.case_id,
        original_order=order,
        contractor_id=order.contractor_id,
        contract_id=order.contract_id,
        verified_by_id=order.accepted_by_id,
        verification_event=verification,
        work_order_issued_by_id=order.issued_by_id,
        distance_m=round(distance, 2),
        repair_accepted_at=order.accepted_at,
        warranty_ends_at=order.warranty_ends_at,
        opened_at=opened_at,
    )
    return claim
