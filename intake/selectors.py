"""Intake's reads that depend on who asks.

Intake errors and unfinished chat drafts carry what citizens wrote, so a clerk sees those of
their own region only: a draft belongs to the region of the district it was placed in; a message
to its draft's. What is not placed yet (no point or address, a payload that could not be read)
belongs to the region of INTAKE_DEFAULT_DISTRICT, whose clerks take complaints placed by address
only; without that setting only administrators see it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from casework import roles
from intake import placing
from intake.models import Draft, InboundMessage

NOTHING = Q(pk__in=[])


def _clerk_region_id(user) -> int | None:
    if roles.CLERK not in roles.user_roles(user):
        return None
    profile = getattr(user, "staff_profile", None)
    district = getattr(profile, "district", None) if profile else None
    return district.region_id if district else None


def _takes_unplaced(region_id: int) -> bool:
    default = placing.default_district()
    return default is not None and default.region_id == region_id


def drafts_visible_to(user) -> QuerySet[Draft]:
    if getattr(user, "is_superuser", False):
        return Draft.objects.all()
    region_id = _clerk_region_id(user)
    if region_id is None:
        return Draft.objects.none()
    scope = Q(district__region_id=region_id)
    if _takes_unplaced(region_id):
        scope |= Q(district__isnull=True)
    return Draft.objects.filter(scope)


def inbound_messages_visible_to(user) -> QuerySet[InboundMessage]:
    if getattr(user, "is_superuser", False):
        return InboundMessage.objects.all()
    region_id = _clerk_region_id(user)
    if region_id is None:
        return InboundMessage.objects.none()
    scope = Q(draft__district__region_id=region_id)
    if _takes_unplaced(region_id):
        scope |= Q(draft__isnull=True) | Q(draft__district__isnull=True)
    return InboundMessage.objects.filter(scope)
