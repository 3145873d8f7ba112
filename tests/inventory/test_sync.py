import pytest

from inventory.models import Adjustment, PurchaseOrder, Vendor, Warehouse
from tests.sync_support import check_sync, money, text, when

pytestmark = pytest.mark.django_db


def test_sync_mirrors_inventory(simulator):
    check_sync(
        simulator,
        {
            "inventory.vendors": (
                Vendor,
                lambda r: {
                    "name": r["name"],
                    "contact_first_name": r["contactInfo"]["firstName"],
                    "city": text(r["address"]["city"]),
                },
            ),
            "inventory.warehouses": (Warehouse, lambda r: {"name": r["name"], "city": text(r["address"]["city"])}),
            "inventory.purchase-orders": (
                PurchaseOrder,
                lambda r: {
                    "number": r["number"],
                    "status": r["status"],
                    "vendor_st_id": r["vendorId"],
                    "total": money(r["total"]),
                    "street": text(r["shipTo"]["street"]),
                    "date": when(r["date"]),
                },
            ),
            "inventory.adjustments": (
                Adjustment,
                lambda r: {"number": r["number"], "type": r["type"], "date": when(r["date"]), "items": r["items"]},
            ),
        },
    )
