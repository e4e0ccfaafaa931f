"""Every API error is JSON with a ``detail`` (and field errors where they apply); never HTML."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from crm.teams.services import TeamRuleError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, TeamRuleError):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            # Django's "__all__" is DRF's "non_field_errors": one name for API clients to handle.
            detail = {
                api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
                for field, messages in exc.message_dict.items()
            }
            exc = exceptions.ValidationError(detail)
        else:
            exc = exceptions.ValidationError(exc.messages)
    return drf_exception_handler(exc, context)
