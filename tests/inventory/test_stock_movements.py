"""Receipts, returns, transfers and trucks (issue 13's inventory mirror)."""

import factory
import pytest
from django.urls import reverse

from inventory.models import Receipt, Return, Transfer, Truck
from tests.admin_support import check_mirror_admin, staff_client
from tests.api_support import check_read_endpoint, check_read_only, client_for, st_ids
from tests.factories import MirrorFactory, viewer
from tests.servicetitan.sync_support import assert_mirror_equals
from tests.sync_support import check_sync, money, when

pytestmark = pytest.mark.django_db


class TruckFactory(MirrorFactory):
    class Meta:
        model = Truck

    name = factory.Sequence(lambda n: f"Truck {n}")


class ReceiptFactory(MirrorFactory):
    class Meta:
        model = Receipt

    number = factory.Sequence(lambda n: f"RCV-{n}")
    sync_status = "Pending"


class ReturnFactory(MirrorFactory):
    class Meta:
        model = Return

    number = factory.Sequence(lambda n: f"RET-{n}")
    status = Return.Status.PENDING


class TransferFactory(MirrorFactory):
    class Meta:
        model = Transfer

    number = factory.Sequence(lambda n: f"TRF-{n}")
    status = "Pending"


FACTORIES = {
    "trucks": TruckFactory,
    "receipts": ReceiptFactory,
    "returns": ReturnFactory,
    "transfers": TransferFactory,
}


@pytest.mark.parametrize(("route", "factory"), FACTORIES.items(), ids=list(FACTORIES))
def test_read_endpoint_and_admin(route, factory):
    check_read_endpoint(f"/api/v1/inventory/{route}/", factory)
    check_read_only(f"/api/v1/inventory/{route}/", factory)
    check_mirror_admin(factory)


def test_filters():
    client = client_for(viewer())
    received = ReceiptFactory(purchase_order_st_id=31, vendor_st_id=8)
    ReceiptFactory(purchase_order_st_id=32)
    assert st_ids(client.get("/api/v1/inventory/receipts/", {"purchase_order_st_id": 31})) == {str(received.st_id)}
    assert st_ids(client.get("/api/v1/inventory/receipts/", {"vendor_st_id__in": "8,9"})) == {str(received.st_id)}
    credited = ReturnFactory(status=Return.Status.CREDIT_RECEIVED)
    ReturnFactory()
    assert st_ids(client.get("/api/v1/inventory/returns/", {"status": "CreditReceived"})) == {str(credited.st_id)}
    to_truck = TransferFactory(to_location_id=5)
    TransferFactory(to_location_id=6)
    assert st_ids(client.get("/api/v1/inventory/transfers/", {"to_location_id": 5})) == {str(to_truck.st_id)}


def test_receipt_page_names_its_vendor_and_purchase_order():
    from tests.factories import PurchaseOrderFactory, VendorFactory

    vendor = VendorFactory(name="Acme Supply")
    order = PurchaseOrderFactory(number="PO-777", vendor_st_id=vendor.st_id)
    receipt = ReceiptFactory(vendor_st_id=vendor.st_id, purchase_order_st_id=order.st_id)
    listing = staff_client(superuser=False, groups=["Viewers"]).get(reverse("admin:inventory_receipt_changelist"))
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "Acme Supply" in html and "PO PO-777" in html and receipt.number in html


def test_sync_mirrors_stock_movements(simulator):
    check_sync(
        simulator,
        {
            "inventory.trucks": (
                Truck,
                lambda r: {
                    "name": r["name"],
                    "warehouse_st_id": r["warehouseId"],
                    "technician_st_ids": r["technicianIds"],
                },
            ),
            "inventory.receipts": (
                Receipt,
                lambda r: {
                    "number": r["number"],
                    "purchase_order_st_id": r["purchaseOrderId"],
                    "vendor_st_id": r["vendorId"],
                    "receipt_amount": money(r["receiptAmount"]),
                    "received_on": when(r["receivedOn"]),
                    "street": r["shipTo"]["street"],
                    "items": r["items"],
                },
            ),
            "inventory.returns": (
                Return,
                lambda r: {
                    "number": r["number"],
                    "status": r["status"],
                    "return_amount": money(r["returnAmount"]),
                    "return_date": when(r["returnDate"]),
                    "items": r["items"],
                },
            ),
            "inventory.transfers": (
                Transfer,
                lambda r: {
                    "number": r["number"],
                    "status": r["status"],
                    "from_location_id": r["fromLocationId"],
                    "to_location_id": r["toLocationId"],
                    "date": when(r["date"]),
                    "items": r["items"],
                },
            ),
        },
    )
    assert_mirror_equals(simulator, ("inventory.returns", "inventory.transfers"))
    assert_mirror_equals(simulator, ("inventory.trucks", "inventory.receipts"), kind="list")
