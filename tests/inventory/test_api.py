import pytest

from tests.api_support import check_read_endpoint, check_read_only, client_for, st_ids
from tests.factories import AdjustmentFactory, PurchaseOrderFactory, VendorFactory, WarehouseFactory, viewer

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("/api/v1/inventory/adjustments/", AdjustmentFactory),
    ("/api/v1/inventory/purchase-orders/", PurchaseOrderFactory),
    ("/api/v1/inventory/vendors/", VendorFactory),
    ("/api/v1/inventory/warehouses/", WarehouseFactory),
]


@pytest.mark.parametrize(("url", "factory"), ENDPOINTS)
def test_read_endpoint(url, factory):
    check_read_endpoint(url, factory)


@pytest.mark.parametrize(("url", "factory"), ENDPOINTS)
def test_read_only(url, factory):
    check_read_only(url, factory)


def test_purchase_orders_filter_by_vendor_and_status():
    vendor = VendorFactory()
    mine = PurchaseOrderFactory(vendor_st_id=vendor.st_id, status="Received")
    PurchaseOrderFactory(status="Sent")
    client = client_for(viewer())
    url = "/api/v1/inventory/purchase-orders/"
    assert st_ids(client.get(url, {"vendor_st_id": vendor.st_id})) == {str(mine.st_id)}
    assert st_ids(client.get(url, {"status": "Received"})) == {str(mine.st_id)}
    assert list(vendor.purchase_orders.all()) == [mine]
