"""Every operation of the API under input nobody should send: bad paging, hand-made cursors, unknown ordering, garbage
filters, a tenant header that names nothing, and bodies with wrong types, nulls, huge numbers, NaN and Infinity.
No answer may be a 5xx other than ServiceTitan's 502 / 503 (no ServiceTitan is configured here)."""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory
from tests.pricebook.factories import make_category, make_material

pytestmark = pytest.mark.django_db

HUGE = 10**30


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


LIST_QUERIES = [
    {"page": "0"},
    {"page": "-1"},
    {"page": "abc"},
    {"page": "99999"},
    {"page_size": "0"},
    {"page_size": "-1"},
    {"page_size": str(HUGE)},
    {"cursor": "!!!"},
    {"cursor": _cursor(["a", "b"])},
    {"cursor": _cursor([HUGE, HUGE])},
    {"cursor": _cursor([1, "x"])},
    {"cursor": _cursor({"a": 1})},
    {"ordering": "no_such_field"},
    {"ordering": "-,,"},
    {"search": "\x00"},
    {"tenant": "no such tenant"},
]
PARAMETER_VALUES = ["abc", str(HUGE), "nan", "9999-12-31T23:59:59-23:59", "a,b"]
TENANT_HEADERS = ["no such tenant", str(HUGE), "-1"]
RAW_BODIES = ["", "not json", "null", "[]", '"text"', '{"a": NaN}', '{"a": Infinity}']
LITERALS = ["null", '"abc"', str(HUGE), "1e999", "NaN", "-Infinity", "[]", "{}", '"99999999999999999999.99"']

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)


def operations(methods):
    return [
        (method, path, operation)
        for path, item in sorted(SCHEMA["paths"].items())
        for method, operation in item.items()
        if method in methods
    ]


def _id(value):
    return f"{value[0].upper()} {value[1]}" if isinstance(value, tuple) else None


@pytest.fixture
def api():
    user = UserFactory(is_staff=True, is_superuser=True)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    material = make_material(code="EDGE-1", categories=[make_category("Edges")])
    client.known_id = material.st_id
    return client


def url_of(path: str, known_id) -> str:
    return re.sub(r"\{\w+\}", str(known_id), path)


def crashes(responses) -> dict:
    return {what: status for what, status in responses.items() if status >= 500 and status not in (502, 503)}


@pytest.mark.parametrize(("method", "path", "operation"), operations({"get"}), ids=_id)
def test_no_bad_query_or_tenant_header_crashes_a_read(api, method, path, operation):
    url = url_of(path, api.known_id)
    parameters = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query" and p["name"] != "tenant"]
    queries = LIST_QUERIES + [{name: value} for name in parameters for value in PARAMETER_VALUES]
    answers = {json.dumps(query)[:80]: api.get(url, query).status_code for query in queries}
    answers |= {f"header {h}": api.get(url, HTTP_X_LAZI_TENANT=h).status_code for h in TENANT_HEADERS}
    assert not crashes(answers), url


@pytest.mark.parametrize(("method", "path", "operation"), operations({"post", "put", "patch"}), ids=_id)
def test_no_bad_body_crashes_a_write(api, method, path, operation):
    url = url_of(path, api.known_id)
    send = getattr(api, method)
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    component = SCHEMA["components"]["schemas"].get(schema.get("$ref", "").rsplit("/", 1)[-1], {})
    bodies = RAW_BODIES + [
        f'{{"{name}": {literal}}}' for name in component.get("properties", {}) for literal in LITERALS
    ]
    answers = {body[:80]: send(url, data=body, content_type="application/json").status_code for body in bodies}
    assert not crashes(answers), url
    if component.get("properties"):
        # Malformed JSON where a body is read is the caller's mistake: a 400 (or 403 / 404 / 405), never accepted.
        assert answers["not json"] in (400, 403, 404, 405), answers["not json"]


def test_a_hand_made_cursor_is_a_400_with_a_message(api):
    for values in (["a", "b"], [HUGE, HUGE], [1, "x"]):
        response = api.get("/api/v1/pricebook/materials/", {"cursor": _cursor(values)})
        assert response.status_code == 400, values
        assert "Invalid cursor" in response.json()["cursor"][0]
    first = api.get("/api/v1/pricebook/materials/", {"cursor": "", "page_size": 1})
    assert first.status_code == 200 and first.json()["results"][0]["st_id"] == api.known_id


def test_history_since_a_moment_out_of_range_is_a_400(api):
    response = api.get("/api/v1/pricebook/history/", {"changed_since": "9999-12-31T23:59:59-23:59"})
    assert response.status_code == 400
    assert "changed_since" in response.json()


def test_item_sales_ids_must_be_numbers(api):
    for value in ("abc", "1,b", str(HUGE)):
        response = api.get("/api/v1/sales/item-sales/", {"st_id__in": value})
        assert response.status_code == 400, value
    assert api.get("/api/v1/sales/item-sales/", {"st_id__in": f"{api.known_id},1"}).status_code == 200
