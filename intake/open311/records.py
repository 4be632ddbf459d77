"""What Open311 shows: services (public categories only) and requests (no personal data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Case, Category
from casework.states import CLOSED_STATES, CaseState, Priority, RejectReason

# The one attribute every service asks (optional): it raises the case's priority.
HAZARD = "hazard"


def moment(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def public_categories():
    return Category.objects.filter(public=True).order_by("code")


def service_record(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys((category.name_kk, category.name_ru, category.name_en)))
        or None,
        "group": None,
    }


def hazard_values() -> list[dict[str, str]]:
    return [{"key": "yes", "name": _("Yes")}, {"key": "no", "name": _("No")}]


def service_definition(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": HAZARD,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("yes or no"),
                "order": 1,
                "description": _("Is it dangerous for traffic or pedestrians right now?"),
                "values": hazard_values(),
            }
        ],
    }


def attribute_priority(attributes: dict[str, str]) -> int:
    return Priority.HIGH if attributes.get(HAZARD) == "yes" else Priority.NORMAL


def status_of(case: Case) -> str:
    return "closed" if case.state in CLOSED_STATES else "open"


def status_notes(case: Case) -> str:
    notes = str(CaseState(case.state).label)
    if case.state == CaseState.REJECTED and case.reject_reason in RejectReason.values:
        notes += ": " + str(RejectReason(case.reject_reason).label)
    return notes


def request_record(case: Case) -> dict[str, Any]:
    """A case as a GeoReport request. The title only: descriptions and contacts stay inside."""
    agency = case.department or case.district
    return {
        "service_request_id": case.tracking_code,
        "status": status_of(case),
        "status_notes": status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.title,
        "agency_responsible": agency.name if agency else None,
        "service_notice": None,
        "requested_datetime": moment(case.received_at),
        "updated_datetime": moment(case.state_changed_at),
        "expected_datetime": None if case.is_closed else moment(case.due_at),
        "address": case.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": float(case.latitude) if case.latitude is not None else None,
        "long": float(case.longitude) if case.longitude is not None else None,
        "media_url": None,
    }
