"""Every API list route (read from the URL resolver, so a new route is covered without a new test) answers a user of
tenant A with A's rows only, though tenant B holds rows with the same ServiceTitan ids; another tenant's row is not
found; naming a tenant the user is not in answers 403."""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from tenants.access import has_model_tenant
from tests.tenants.conftest import MARKER, SHARED_ST_ID, TENANT_A, TENANT_B


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def list_routes() -> list[tuple[str, type]]:
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        viewset = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", None) or {}
        if viewset is None or actions.get("get") != "list" or "(?P<format>" in route:
            continue
        routes.append(("/" + route.replace("^", "").replace("$", ""), viewset))
    return sorted(routes, key=lambda r: r[0])


LIST_ROUTES = list_routes()
# Lists that need a query to answer (item sales: per item type).
QUERY = {"/api/v1/sales/item-sales/": {"item_type": "material"}}


def _model(viewset):
    queryset = getattr(viewset, "queryset", None)
    return getattr(queryset, "model", None)


@pytest.fixture
def api_a(user_in_a):
    client = APIClient()
    client.force_authenticate(user_in_a)
    return client


def _tenant_ids(payload) -> set:
    rows = payload.get("results", payload) if isinstance(payload, dict) else payload
    return {row["tenant_id"] for row in rows if isinstance(row, dict) and "tenant_id" in row}


def test_routes_found():
    assert len(LIST_ROUTES) > 30
    assert any(url.endswith("/pricebook/materials/") for url, _ in LIST_ROUTES)


@pytest.mark.parametrize(("url", "viewset"), LIST_ROUTES, ids=[url for url, _ in LIST_ROUTES])
def test_list_shows_only_the_users_tenant(url, viewset, two_tenants, api_a):
    params = QUERY.get(url, {})
    for extra in ({}, {"search": str(SHARED_ST_ID)} if getattr(viewset, "search_fields", ()) else {}):
        response = api_a.get(url, {**params, **extra})
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        assert MARKER[TENANT_B].encode() not in response.content, f"{url}: tenant B's rows shown to a user of A"
        assert _tenant_ids(response.json()) <= {TENANT_A}, url
    model = _model(viewset)
    listed = api_a.get(url, params).json()
    if model is not None and has_model_tenant(model) and isinstance(listed, dict) and "results" in listed:
        ids = _tenant_ids(listed)
        if listed["results"] and ids:
            assert ids == {TENANT_A}, url  # A's rows are there


@pytest.mark.parametrize(("url", "viewset"), LIST_ROUTES, ids=[url for url, _ in LIST_ROUTES])
def test_a_tenant_the_user_is_not_in_is_refused(url, viewset, two_tenants, api_a):
    params = QUERY.get(url, {})
    refused = api_a.get(url, params, HTTP_X_LAZI_TENANT="Bravo Plumbing")
    assert refused.status_code == 403, (url, refused.status_code)
    assert "no access to the tenant" in refused.json()["detail"]
    assert api_a.get(url, {**params, "tenant": str(TENANT_B)}).status_code == 403
    assert api_a.get(url, params, HTTP_X_LAZI_TENANT=str(TENANT_A)).status_code == 200
    assert api_a.get(url, {**params, "tenant": "alpha heating"}).status_code == 200


@pytest.mark.parametrize(("url", "viewset"), LIST_ROUTES, ids=[url for url, _ in LIST_ROUTES])
def test_detail_of_another_tenants_row_is_not_found(url, viewset, two_tenants, api_a):
    model = _model(viewset)
    if model is None or not has_model_tenant(model) or not hasattr(viewset, "retrieve"):
        pytest.skip("no detail of tenant rows")
    _a, _b, rows = two_tenants
    theirs, ours = rows[TENANT_B][model], rows[TENANT_A][model]
    lookup = getattr(viewset, "lookup_field", "pk")
    if lookup == "pk":
        assert api_a.get(f"{url}{theirs.pk}/", QUERY.get(url, {})).status_code == 404, url
        own = api_a.get(f"{url}{ours.pk}/", QUERY.get(url, {}))
    else:
        # The same ServiceTitan id in both tenants: the user's own row answers, never the other's.
        own = api_a.get(f"{url}{getattr(ours, lookup)}/", QUERY.get(url, {}))
    if own.status_code == 404 and not type(ours).objects.filter(pk=ours.pk).filter(**_visible(viewset)).exists():
        return  # the viewset hides this row for its own reasons (e.g. deleted markup tiers)
    assert own.status_code == 200, (url, own.status_code, own.content[:300])
    assert MARKER[TENANT_B].encode() not in own.content
    if "tenant_id" in own.json():
        assert own.json()["tenant_id"] == TENANT_A


def _visible(viewset) -> dict:
    queryset = viewset.queryset
    where = queryset.query.where
    return {} if not where else {"pk__in": queryset.values("pk")}


def test_user_in_no_tenant_is_told_so(two_tenants):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/pricebook/materials/")
    assert response.status_code == 403
    assert "not a member of any ServiceTitan tenant" in response.json()["detail"]


def test_schema_documents_the_tenant_header_and_parameter(two_tenants, api_a):
    schema = api_a.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    operation = schema.json()["paths"]["/api/v1/pricebook/materials/"]["get"]
    names = {(p["in"], p["name"]) for p in operation["parameters"]}
    assert ("header", "X-LAZI-Tenant") in names and ("query", "tenant") in names


def test_a_new_override_belongs_to_the_requests_tenant(two_tenants, api_a):
    from pricebook.models import PricebookOverride
    from tests.factories import UserFactory

    PricebookOverride.objects.all().delete()
    body = {"item_type": "material", "st_pricebook_id": SHARED_ST_ID, "override_price": "12.00"}
    created = api_a.post("/api/v1/pricebook/overrides/", body, format="json")
    assert created.status_code == 201, created.content
    assert PricebookOverride.objects.get().tenant_id == TENANT_A

    refused = api_a.post("/api/v1/pricebook/overrides/", body, format="json", HTTP_X_LAZI_TENANT=str(TENANT_B))
    assert refused.status_code == 403
    superuser = APIClient()
    superuser.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
    for_b = superuser.post("/api/v1/pricebook/overrides/", body, format="json", HTTP_X_LAZI_TENANT="Bravo Plumbing")
    assert for_b.status_code == 201, for_b.content
    assert sorted(PricebookOverride.objects.values_list("tenant_id", flat=True)) == [TENANT_A, TENANT_B]
