"""The REST API's shared base (servicetitan/api/): ServiceTitan bodies and ServiceTitan errors as HTTP errors."""

import datetime
from decimal import Decimal

import pytest

from servicetitan.api.errors import ServiceTitanRejected, api_exception_for
from servicetitan.api.serializers import servicetitan_key, servicetitan_value
from servicetitan.client.errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    ValidationError,
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("name", "name"),
        ("do_not_mail", "doNotMail"),
        ("customer_st_id", "customerId"),
        ("technician_st_ids", "technicianIds"),
        ("arrival_window_start", "arrivalWindowStart"),
        ("job_type_id", "jobTypeId"),
    ],
)
def test_servicetitan_key(name, key):
    assert servicetitan_key(name) == key


def test_servicetitan_value_is_json_for_servicetitan():
    start = datetime.datetime(2026, 5, 1, 11, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    value = {"job_st_id": 7, "appointments": [{"start": start, "technician_st_ids": [1]}], "limit": Decimal("1.5")}
    assert servicetitan_value(value) == {
        "jobId": 7,
        "appointments": [{"start": "2026-05-01T09:30:00Z", "technicianIds": [1]}],
        "limit": 1.5,
    }


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ValidationError(400, title="Bad", errors={"Name": ["Name is required"]}), 400),
        (NotFoundError(404, title="Not Found"), 400),
        (ConflictError(409, title="Conflict"), 400),
        (RateLimitedError(429, title="Too many"), 502),
        (ServerError(503, title="Down"), 502),
        (TransportError("timed out"), 502),
        (AuthenticationError(401, title="invalid_client"), 503),
        (ConfigurationError("SERVICE_TITAN_CLIENT_ID is not set"), 503),
    ],
)
def test_servicetitan_errors_as_http_errors(error, status):
    assert api_exception_for(error).status_code == status


def test_a_refusal_keeps_servicetitan_field_messages():
    rejected = api_exception_for(ValidationError(400, errors={"Name": ["Name is required"]}, trace_id="t-1"))
    assert isinstance(rejected, ServiceTitanRejected)
    assert rejected.detail == "Name: Name is required"
    assert rejected.errors == {"Name": ["Name is required"]} and rejected.trace_id == "t-1"
