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

from casework.api import serializers as s
from casework.models import Case, Department
from casework.transition_calls import transition_call, transition_perform


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


def _assign(case: Case, actor, data: dict[str, Any]) -> Any:
    return transition_perform(
        "assign", case, actor, {**data, "department": _department(data["department"])}
    )


register("assign", TransitionEndpoint(s.AssignSerializer, _assign))
for _name, _serializer, _multipart in (
    ("report_repaired", s.RepairReportSerializer, True),
    ("verify", s.VerifySerializer, True),
    ("return_for_rework", s.ReworkSerializer, True),
    ("reject", s.RejectSerializer, False),
    ("reopen", s.ReopenSerializer, False),
):
    register(_name, TransitionEndpoint(_serializer, transition_call(_name), _multipart))
