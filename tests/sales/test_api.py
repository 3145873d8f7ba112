import datetime

import pytest
from django.utils import timezone

from tests.api_support import check_read_endpoint, check_read_only, client_for, st_ids
from tests.factories import UserFactory, viewer
from tests.sales.factories import EstimateFactory, EstimateItemFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = [("/api/v1/sales/estimates/", EstimateFactory), ("/api/v1/sales/estimate-items/", EstimateItemFactory)]


@pytest.mark.parametrize(("url", "factory"), ENDPOINTS)
def test_read_endpoint(url, factory):
    check_read_endpoint(url, factory)
    check_read_only(url, factory)


def test_estimate_items_filter_by_status_sku_and_estimate():
    sold = EstimateItemFactory(status="Sold", sku_st_id=4242)
    EstimateItemFactory(estimate_st_id=sold.estimate_st_id, status="Sold")
    EstimateItemFactory(status="Dismissed", estimate_created_on=timezone.now() - datetime.timedelta(days=100))
    client = client_for(viewer())
    url = "/api/v1/sales/estimate-items/"
    assert st_ids(client.get(url, {"sku_st_id": 4242})) == {str(sold.st_id)}
    assert len(st_ids(client.get(url, {"status": "Sold"}))) == 2
    assert len(st_ids(client.get(url, {"estimate_st_id": sold.estimate_st_id}))) == 2
    since = (timezone.now() - datetime.timedelta(days=30)).isoformat()
    assert len(st_ids(client.get(url, {"estimate_created_on__gte": since}))) == 2
    row = client.get(f"{url}{sold.st_id}/").json()
    assert {"sku_st_id", "sku_name", "quantity", "unit_rate", "unit_cost", "status", "estimate_st_id"} <= set(row)


def test_estimates_filter_by_status():
    sold = EstimateFactory(status="Sold")
    EstimateFactory(status="Open")
    assert st_ids(client_for(viewer()).get("/api/v1/sales/estimates/", {"status": "Sold"})) == {str(sold.st_id)}


def test_schema_documents_the_sales_endpoints():
    schema = client_for(UserFactory()).get("/api/schema/", {"format": "json"}).json()
    for url, _ in ENDPOINTS:
        assert url in schema["paths"] and f"{url}{{st_id}}/" in schema["paths"]
