"""ServiceTitan's RFC 7807 errors become staff-readable exceptions; secrets stay out of errors and logs."""

import logging
import pickle

import pytest
import responses

from servicetitan.client.errors import (
    ApiError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServiceTitanError,
    ValidationError,
)
from tests.servicetitan.client_support import APP_KEY, SECRET, add_tokens, make_client, module_url

MATERIAL_URL = module_url("pricebook", "/materials/11")

PROBLEM = {
    "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
    "title": "One or more validation errors occurred.",
    "status": 400,
    "traceId": "00-8b3c-01",
    "errors": {"price": ["Price must be greater than or equal to 0"]},
    "data": {"id": 11},
}


@pytest.fixture(autouse=True)
def _token():
    responses.start()
    add_tokens("token-secret-value-1", "token-secret-value-2")
    yield
    responses.stop()
    responses.reset()


def test_validation_error_carries_the_problem_and_reads_for_staff():
    responses.add(responses.PATCH, MATERIAL_URL, status=400, json=PROBLEM)

    with pytest.raises(ValidationError) as raised:
        make_client().update("pricebook.materials", 11, {"price": -1})

    error = raised.value
    assert isinstance(error, ApiError) and isinstance(error, ServiceTitanError)
    assert error.status == 400
    assert error.title == "One or more validation errors occurred."
    assert error.errors == {"price": ["Price must be greater than or equal to 0"]}
    assert error.trace_id == "00-8b3c-01"
    assert error.type == PROBLEM["type"]
    assert error.data == {"id": 11}
    assert str(error) == error.staff_message == "price: Price must be greater than or equal to 0"
    assert "00-8b3c-01" in repr(error) and "PATCH" in repr(error)


def test_several_field_errors_are_all_listed():
    error = ApiError.from_response(
        400, b'{"title": "Invalid", "errors": {"name": ["Required", "Too long"], "price": "Negative"}}'
    )
    assert str(error) == "name: Required; name: Too long; price: Negative"


def test_without_field_errors_the_title_is_the_message():
    error = ApiError.from_response(409, b'{"title": "Item was modified by another user", "status": 409}')
    assert isinstance(error, ConflictError)
    assert str(error) == "Item was modified by another user"


def test_a_body_that_is_not_a_problem_still_gives_a_message():
    assert str(ApiError.from_response(502, b"<html><body>Bad   gateway</body></html>")) == "Bad gateway"
    assert str(ApiError.from_response(503, b"Service   Unavailable\r\n")) == "Service Unavailable"
    assert str(ApiError.from_response(418, b"")) == "ServiceTitan answered HTTP 418"


NGINX_502 = b"""<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>
</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"""
CLOUDFLARE_PAGE = b"""<!DOCTYPE html><html lang="en"><head><style>body{color:red}</style>
<script>var token = "x";</script></head><body><h1>Error 524</h1><p>A timeout occurred &amp; the origin
did not answer.</p></body></html>"""


def test_an_html_error_page_from_a_proxy_reads_as_words(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "CLIENT_SECRET": SECRET}
    assert str(ApiError.from_response(502, NGINX_502)) == "502 Bad Gateway"
    # No title: the visible text, no markup, styles or scripts.
    assert str(ApiError.from_response(524, CLOUDFLARE_PAGE)) == (
        "Error 524 A timeout occurred & the origin did not answer."
    )
    page = f"<html><body><p>client_secret={SECRET} rejected</p></body></html>".encode()
    assert SECRET not in str(ApiError.from_response(400, page))


@pytest.mark.parametrize(
    ("status", "error_class"), [(403, ForbiddenError), (404, NotFoundError), (422, ValidationError)]
)
def test_status_maps_to_its_error_class(status, error_class):
    responses.add(responses.GET, MATERIAL_URL, status=status, json={"title": "No", "status": status})

    with pytest.raises(error_class):
        make_client().get("pricebook.materials", 11)


def test_errors_survive_pickling():
    error = ApiError.from_response(400, b'{"title": "T", "errors": {"price": ["Bad"]}, "traceId": "t1"}')
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ValidationError
    assert (copy.status, copy.errors, copy.trace_id, str(copy)) == (400, {"price": ["Bad"]}, "t1", "price: Bad")


def test_secrets_echoed_in_an_error_body_are_masked(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "CLIENT_SECRET": SECRET, "APP_KEY": APP_KEY}
    body = {
        "title": f"Bad header Authorization: Bearer token-secret-value-1 with key {APP_KEY}",
        "errors": {"client": [f"client_secret={SECRET} is wrong"]},
    }
    responses.add(responses.GET, MATERIAL_URL, status=400, json=body)

    with pytest.raises(ValidationError) as raised:
        make_client().get("pricebook.materials", 11)

    text = str(raised.value) + repr(raised.value) + raised.value.title
    for secret in (SECRET, APP_KEY, "token-secret-value-1"):
        assert secret not in text


def test_logs_show_each_attempt_but_no_secret_or_token(caplog):
    caplog.set_level(logging.DEBUG, logger="servicetitan.client")
    responses.add(responses.GET, MATERIAL_URL, status=401, json={"title": "Unauthorized"})
    responses.add(responses.GET, MATERIAL_URL, status=503)
    responses.add(responses.GET, MATERIAL_URL, json={"id": 11})

    make_client().get("pricebook.materials", 11)

    lines = [r.getMessage() for r in caplog.records if r.name == "servicetitan.client"]
    path = "/pricebook/v2/tenant/4242/materials/11"
    assert any(f"GET {path} -> 401" in line and "attempt 1" in line for line in lines)
    assert any(f"GET {path} -> 503" in line and "attempt 1" in line for line in lines)
    assert any(f"GET {path} -> 200" in line and "attempt 2" in line and " ms " in line for line in lines)
    for secret in (SECRET, APP_KEY, "token-secret-value-1", "token-secret-value-2"):
        assert secret not in caplog.text


def test_an_api_call_redirected_to_another_host_sends_no_credentials_there():
    elsewhere = "https://elsewhere.example.org/materials/11"
    responses.add(responses.GET, MATERIAL_URL, status=302, headers={"Location": elsewhere})
    responses.add(responses.GET, elsewhere, json={"id": 11})

    make_client().get("pricebook.materials", 11)

    on_api, on_other = responses.calls[-2].request, responses.calls[-1].request
    assert on_api.headers["ST-App-Key"] == APP_KEY and on_api.headers["Authorization"]
    assert "ST-App-Key" not in on_other.headers
    assert "Authorization" not in on_other.headers
