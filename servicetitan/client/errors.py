"""One error hierarchy for everything the ServiceTitan client can raise.

    ServiceTitanError
    ├── ConfigurationError          settings are missing (names the variables, never their values)
    ├── TransportError              no usable answer: timeouts, connection failures (after the retries)
    ├── BadResponseError            an answer whose body is not the JSON it should be (after the retries)
    └── ApiError                    ServiceTitan answered with an error status (RFC 7807 body parsed)
        ├── ValidationError         400 / 422
        ├── AuthenticationError     401, or the token endpoint refused the credentials
        ├── ForbiddenError          403
        ├── NotFoundError           404
        ├── ConflictError           409
        ├── RateLimitedError        429 (after the retries)
        └── ServerError             5xx (after the retries)

`str(error)` is meant for office staff ("price: Price must be greater than or equal to 0"); no message ever carries
a token or a secret (everything taken from a response passes through `redact`).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from servicetitan.logging import redact

# ServiceTitan sometimes answers errors with an HTML page from its gateway: keep staff messages short.
_MAX_TEXT = 300
_HTML = re.compile(r"<\s*(!doctype|html|head|body|title|h1|div|p|center|pre)\b", re.IGNORECASE)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HTML_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")


class ServiceTitanError(Exception):
    """Base of every error raised by the ServiceTitan client."""


class ConfigurationError(ServiceTitanError):
    """The SERVICE_TITAN_* settings needed to call ServiceTitan are missing or malformed."""


class TransportError(ServiceTitanError):
    """No answer from ServiceTitan (timeout, refused or dropped connection), after the retries."""


class BadResponseError(ServiceTitanError):
    """ServiceTitan answered a success status with a body that is not the expected JSON (truncated, malformed)."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class ApiError(ServiceTitanError):
    """ServiceTitan answered with an error status; carries its RFC 7807 problem details."""

    def __init__(
        self,
        status: int,
        *,
        title: str = "",
        errors: dict[str, list[str]] | None = None,
        trace_id: str = "",
        detail: str = "",
        type: str = "",
        data: Any = None,
        method: str = "",
        path: str = "",
    ):
        self.status = status
        self.title = title
        self.errors = errors or {}
        self.trace_id = trace_id
        self.detail = detail
        self.type = type
        self.data = data
        self.method = method
        self.path = path
        super().__init__(self.staff_message)

    @property
    def staff_message(self) -> str:
        """What office staff read: the field errors ("price: Price must be …"), else the title, else the status."""
        parts = []
        for field_name, messages in self.errors.items():
            for message in messages:
                parts.append(f"{field_name}: {message}" if field_name else message)
        if parts:
            return "; ".join(parts)
        return self.title or self.detail or f"ServiceTitan answered HTTP {self.status}"

    def __str__(self) -> str:
        return self.staff_message

    def __reduce__(self):
        # Keyword-only construction: pickle (multiprocessing, Celery) restores the attributes directly.
        return (_restore_api_error, (type(self), dict(self.__dict__)))

    def __repr__(self) -> str:
        where = f" {self.method} {self.path}" if self.method else ""
        trace = f" traceId={self.trace_id}" if self.trace_id else ""
        return f"<{type(self).__name__} {self.status}{where}{trace}: {self.staff_message}>"

    @classmethod
    def from_response(cls, status: int, body: bytes | str, *, method: str = "", path: str = "") -> ApiError:
        """The error class matching `status`, filled from an RFC 7807 body (or the body's text when it is not one)."""
        error_class = error_class_for_status(status)
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
        try:
            problem = json.loads(text) if text.strip() else {}
        except ValueError:
            problem = None
        if not isinstance(problem, dict):
            # Not a problem document (HTML from a gateway, plain text): its text, shortened, is the best title.
            return error_class(status, title=redact(_plain_text(text)[:_MAX_TEXT]), method=method, path=path)
        return error_class(
            status,
            title=redact(_text(problem.get("title"))),
            errors=_field_errors(problem.get("errors")),
            trace_id=_text(problem.get("traceId")),
            detail=redact(_text(problem.get("detail"))),
            type=_text(problem.get("type")),
            data=problem.get("data"),
            method=method,
            path=path,
        )


class ValidationError(ApiError):
    """400 / 422: ServiceTitan rejected the request's content."""


class AuthenticationError(ApiError):
    """401 after a fresh token, or the token endpoint refused the client credentials."""


class ForbiddenError(ApiError):
    """403: the app lacks the permission (scope) for this endpoint or tenant."""


class NotFoundError(ApiError):
    """404."""


class ConflictError(ApiError):
    """409."""


class RateLimitedError(ApiError):
    """429 on every attempt."""


class ServerError(ApiError):
    """5xx on every attempt (or once, for a request that must not be resent)."""


_BY_STATUS = {
    400: ValidationError,
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitedError,
}


def _restore_api_error(error_class: type[ApiError], state: dict) -> ApiError:
    error = error_class.__new__(error_class)
    error.__dict__.update(state)
    error.args = (error.staff_message,)
    return error


def error_class_for_status(status: int) -> type[ApiError]:
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)


def _plain_text(text: str) -> str:
    """A body's words for staff: an HTML page (a proxy's or gateway's error page) by its title, else its visible text
    without the markup; any other text as it is, whitespace collapsed."""
    if _HTML.search(text):
        title = _HTML_TITLE.search(text)
        words = title.group(1) if title and title.group(1).strip() else _HTML_TAG.sub(" ", _HTML_HIDDEN.sub(" ", text))
        text = html.unescape(_HTML_TAG.sub(" ", words))
    return " ".join(text.split())


def _text(value: Any) -> str:
    return "" if value is None else str(value)[:_MAX_TEXT]


def _field_errors(raw: Any) -> dict[str, list[str]]:
    """ServiceTitan's `errors` is {field: [messages]}; tolerate a bare string or a list in place of the list."""
    if not isinstance(raw, dict):
        return {}
    cleaned = {}
    for field_name, messages in raw.items():
        if isinstance(messages, str | int | float):
            messages = [messages]
        if not isinstance(messages, list):
            continue
        cleaned[str(field_name)] = [redact(_text(m)) for m in messages if m is not None]
    return cleaned
