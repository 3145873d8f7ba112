"""ServiceTitan's answers to a write-through, as REST API errors.

- ServiceTitan refused the content (a 4xx other than auth and rate limits): 400 with its field messages, so the
  caller can correct the request: `{"detail": "name: Name is required", "errors": {"name": [...]}, "trace_id": …}`.
- LAZI is not configured, or ServiceTitan refused LAZI's own credentials: 503; nothing the caller can fix.
- ServiceTitan unreachable, throttling or failing after the retries: 502.
Messages come from the client's error classes, which never carry a secret; they are redacted once more anyway.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException

from servicetitan.client.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    ForbiddenError,
    RateLimitedError,
    ServiceTitanError,
)
from servicetitan.logging import redact


class ServiceTitanRejected(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "servicetitan_rejected"

    def __init__(self, error: ApiError):
        super().__init__(detail=redact(error.staff_message))
        self.errors = {field: [redact(m) for m in messages] for field, messages in error.errors.items()}
        self.st_status = error.status
        self.trace_id = error.trace_id


class ServiceTitanUnavailable(APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "servicetitan_unavailable"
    default_detail = "ServiceTitan did not answer usefully; try again later."


class ServiceTitanNotConfigured(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "servicetitan_not_configured"


def api_exception_for(error: ServiceTitanError) -> APIException:
    """The REST API error for a ServiceTitan error (see the module docstring)."""
    if isinstance(error, ConfigurationError):
        return ServiceTitanNotConfigured(detail=redact(str(error)))
    if isinstance(error, AuthenticationError | ForbiddenError):
        return ServiceTitanNotConfigured(detail=f"ServiceTitan refused LAZI's credentials: {redact(str(error))}")
    if isinstance(error, ApiError) and 400 <= error.status < 500 and not isinstance(error, RateLimitedError):
        return ServiceTitanRejected(error)
    return ServiceTitanUnavailable(detail=f"ServiceTitan did not answer usefully: {redact(str(error))}")


def error_payload(exc: APIException, data):
    """Adds ServiceTitan's field messages to the body DRF built for a `ServiceTitanRejected`."""
    if isinstance(exc, ServiceTitanRejected) and isinstance(data, dict):
        data = {**data, "errors": exc.errors, "servicetitan_status": exc.st_status}
        if exc.trace_id:
            data["trace_id"] = exc.trace_id
    return data


def exception_handler(exc, context):
    """DRF's handler for every view, ServiceTitan's errors included (an answer in words, never a 500): settings'
    `REST_FRAMEWORK["EXCEPTION_HANDLER"]`."""
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, ServiceTitanError):
        exc = api_exception_for(exc)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = error_payload(exc, response.data)
    return response
