"""The OpenAPI schema generates cleanly and documents every route of INTERFACE.md."""

import pytest
from django.core.management import call_command

from tests.api_support import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

READ = ["get"]
# INTERFACE.md's REST API section: path → methods that must be documented.
INTERFACE_ROUTES = {
    **{f"/api/v1/pricebook/{c}/": READ for c in ("categories", "materials", "services", "equipment")},
    **{f"/api/v1/pricebook/{c}/{{st_id}}/": READ for c in ("categories", "materials", "services", "equipment")},
    "/api/v1/pricebook/overrides/": ["get", "post"],
    "/api/v1/pricebook/overrides/{id}/": ["get", "patch", "delete"],
    "/api/v1/crm/customers/": ["get", "post"],
    "/api/v1/crm/customers/{st_id}/": ["get", "patch"],
    "/api/v1/crm/locations/": ["get", "post"],
    "/api/v1/crm/locations/{st_id}/": ["get", "patch"],
    "/api/v1/crm/contacts/": READ,
    "/api/v1/jobs/jobs/": ["get", "post"],
    "/api/v1/jobs/jobs/{st_id}/": ["get", "patch"],
    "/api/v1/jobs/jobs/{st_id}/cancel/": ["post"],
    "/api/v1/jobs/appointments/": ["get", "post"],
    "/api/v1/jobs/appointments/{st_id}/reschedule/": ["post"],
    "/api/v1/jobs/projects/": READ,
    **{f"/api/v1/dispatch/{c}/": READ for c in ("technicians", "teams", "zones")},
    **{f"/api/v1/accounting/{c}/": READ for c in ("invoices", "payments")},
    **{f"/api/v1/inventory/{c}/": READ for c in ("adjustments", "purchase-orders", "vendors", "warehouses")},
    "/api/v1/sync/runs/": READ,
    "/api/v1/sync/": ["post"],
}


def test_schema_validates_without_warnings(tmp_path):
    # --fail-on-warn turns any drf-spectacular warning (unresolvable field, serializer guess, …) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").stat().st_size > 0


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = client_for(UserFactory.build(pk=1, username="schema-reader")).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(("path", "methods"), INTERFACE_ROUTES.items())
def test_interface_route_is_documented(schema, path, methods):
    assert path in schema["paths"], f"{path} missing from the schema"
    assert set(methods) <= set(schema["paths"][path]), (path, sorted(schema["paths"][path]))


def test_docs_page_is_served_to_signed_in_users(client):
    client.force_login(UserFactory())
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_write_through_documents_its_input(schema):
    post = schema["paths"]["/api/v1/crm/customers/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CustomerCreateInput")
    assert post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/Customer")
    cancel = schema["paths"]["/api/v1/jobs/jobs/{st_id}/cancel/"]["post"]
    assert cancel["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/JobCancelInput")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/v1/pricebook/materials/"])
def test_anonymous_visitors_get_nothing(client, path):
    assert client.get(path).status_code in (401, 403)
