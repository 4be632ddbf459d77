"""What each `POST /api/v1/cases/{id}/transitions/{name}/` accepts and which service it calls.

Apps above casework add endpoints for transitions they own (`notify_contractor` comes from the
contractors app, which issues a work order) with `register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from casework import services
from casework.api import serializers as s
from casework.models import Case, Department


@dataclass(frozen=True)
class TransitionEndpoint:
    serializer: type[serializers.Serializer]
    perform: Callable[[Case, Any, dict[str, Any]], Any]
    multipart: bool = False


_endpoints: dict[str, TransitionEndpoint] = {}


def register(name: str, endpoint: TransitionEndpoint) -> None:
    _endpoints[name] = endpoint


def endpoint_for(name: str) -> TransitionEndpoint | None:
    return _endpoints.get(name)


def names() -> list[str]:
    return sorted(_endpoints)


def _department(pk: int) -> Department:
    department = Department.objects.select_related("district").filter(pk=pk).first()
    if department is None:
        raise ValidationError({"department": _("No such department.")})
    return department


register(
    "assign",
    TransitionEndpoint(
        s.AssignSerializer,
        lambda case, actor, d: services.case_assign(
            case,
            actor=actor,
            department=_department(d["department"]),
            reason=d.get("reason", ""),
            version=d.get("version"),
        ),
    ),
)
register(
    "report_repaired",
    TransitionEndpoint(
        s.RepairReportSerializer,
        lambda case, actor, d: services.case_report_repaired(
            case,
            actor=actor,
            before=d["before"],
            after=d["after"],
            note=d.get("note", ""),
            version=d.get("version"),
        ),
        multipart=True,
    ),
)
register(
    "verify",
    TransitionEndpoint(
        s.VerifySerializer,
        lambda case, actor, d: services.case_verify(
            case,
            actor=actor,
            note=d.get("note", ""),
            photos=d.get("photos"),
            version=d.get("version"),
        ),
        multipart=True,
    ),
)
register(
    "return_for_rework",
    TransitionEndpoint(
        s.ReworkSerializer,
        lambda case, actor, d: services.case_return_for_rework(
            case,
            actor=actor,
            reason=d["reason"],
            photos=d.get("photos"),
            version=d.get("version"),
        ),
        multipart=True,
    ),
)
register(
    "reject",
    TransitionEndpoint(
        s.RejectSerializer,
        lambda case, actor, d: services.case_reject(
            case,
            actor=actor,
            reason_code=d["reason_code"],
            reason=d["reason"],
            duplicate_of=d.get("duplicate_of"),
            version=d.get("version"),
        ),
    ),
)
register(
    "reopen",
    TransitionEndpoint(
        s.ReopenSerializer,
        lambda case, actor, d: services.case_reopen(
            case,
            actor=actor,
            reason=d["reason"],
            kind=d.get("kind"),
            version=d.get("version"),
        ),
    ),
)
