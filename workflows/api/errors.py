"""One shape for every API error: 400 with field messages, 403, 404, 409, 413, 415."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from casework.services import TransitionConflict


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def validation_detail(exc: DjangoValidationError) -> dict | list:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, TransitionConflict):
        return Response({"detail": str(exc), "state": exc.state}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, (ConcurrentTransition, TransitionNotAllowed)):
        exc = Conflict(
            _("The case was changed by someone else meanwhile. Reload it and try again.")
        )
    elif isinstance(exc, OperationalError) and "lock" in str(exc).lower():
        exc = Conflict(_("The case is busy; try again in a moment."))
    return exception_handler(exc, context)
