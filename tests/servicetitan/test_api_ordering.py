"""`?ordering=` on every list of the API (the default backend, `DeclaredOrderingFilter`): an unknown name is a 400
listing the allowed ones, not a silently ignored parameter, and every ordering ends on a unique key so OFFSET pages
neither repeat nor skip rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pricebook.models import PricingRule
from servicetitan.models import SyncRun
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/crm/customers/",
        "/api/v1/jobs/jobs/",
        "/api/v1/sync/runs/",
        "/api/v1/pricebook/overrides/",
        "/api/v1/pricebook/pricing-rules/",
        "/api/v1/pricebook/reprices/",
        "/api/v1/pricebook/markup-tiers/",
        "/api/v1/pricebook/history/",
        "/api/v1/pricebook/materials/",
    ],
)
def test_an_unknown_ordering_is_a_400_on_every_list(api, url):
    response = api.get(url, {"ordering": "no_such_field"})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["unknown"] == ["no_such_field"]
    assert body["allowed"]


def test_declared_ordering_fields_are_what_a_view_allows(api):
    SyncRun.objects.create(target="crm.customers", started_at=timezone.now())
    assert api.get("/api/v1/sync/runs/", {"ordering": "-started_at"}).status_code == 200
    # A column of the model the view does not offer for ordering.
    response = api.get("/api/v1/sync/runs/", {"ordering": "api_calls"})
    assert response.status_code == 400
    assert set(response.json()["allowed"]) == {"started_at", "finished_at", "target", "status"}


def test_a_mirror_ordered_by_a_shared_value_pages_in_st_id_order(api):
    # Inserted out of ServiceTitan id order, all with the same name: without a unique key ending the ORDER BY,
    # the database may hand OFFSET pages the tied rows in any order (rows repeated on one page, missing on another).
    for st_id in (30, 10, 50, 20, 40):
        CustomerFactory(st_id=st_id, name="Same name")
    with CaptureQueriesContext(connection) as queries:
        first = api.get("/api/v1/crm/customers/", {"ordering": "name", "page_size": 2})
    assert first.status_code == 200
    listed = [sql for sql in (q["sql"] for q in queries.captured_queries) if "LIMIT" in sql and "ORDER BY" in sql]
    assert listed and '"st_id"' in listed[-1].rsplit("ORDER BY", 1)[1]
    seen = []
    for page in (1, 2, 3):
        response = api.get("/api/v1/crm/customers/", {"ordering": "name", "page_size": 2, "page": page})
        seen += [row["st_id"] for row in response.json()["results"]]
    assert seen == [10, 20, 30, 40, 50]


def test_a_non_mirror_list_ends_its_ordering_on_the_primary_key(api):
    rules = [
        PricingRule.objects.create(tenant_id=1000001, name="Same", item_type=item_type)
        for item_type in ("material", "service", "equipment")
    ]
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/pricebook/pricing-rules/", {"ordering": "name"})
    assert [row["id"] for row in response.json()["results"]] == [rule.pk for rule in rules]
    listed = [sql for sql in (q["sql"] for q in queries.captured_queries) if "ORDER BY" in sql]
    assert listed and '"id"' in listed[-1].rsplit("ORDER BY", 1)[1]
