from decimal import Decimal

import pytest

from accounting.models import Invoice, InvoiceItem, Payment, PaymentTerm, PaymentType, TaxZone
from devtools.simulator import DEMO_TENANT_ID
from tests.servicetitan.sync_support import assert_mirror_equals
from tests.sync_support import check_sync, money, sync, text, when

pytestmark = pytest.mark.django_db


def test_sync_mirrors_invoices_and_payments(simulator):
    check_sync(
        simulator,
        {
            "accounting.invoices": (
                Invoice,
                lambda r: {
                    "number": text(r["referenceNumber"]),
                    "subtotal": money(r["subTotal"]),
                    "total": money(r["total"]),
                    "balance": money(r["balance"]),
                    "customer_st_id": (r["customer"] or {}).get("id"),
                    "job_st_id": (r["job"] or {}).get("id"),
                    "invoice_date": when(r["invoiceDate"]),
                },
            ),
            "accounting.payments": (
                Payment,
                lambda r: {
                    "reference_number": text(r["referenceNumber"]),
                    "total": money(r["total"]),
                    "customer_st_id": (r["customer"] or {}).get("id"),
                    "applied_to": r["appliedTo"] or [],
                },
            ),
        },
    )


def expected_items(simulator) -> dict:
    """Every line of every invoice the export served, as the mirror should hold it (a deleted invoice comes through
    the export as an inactive one: its lines stay, inactive with it)."""
    dataset = simulator.dataset
    out = {}
    for invoice in dataset.records("accounting.invoices"):
        for item in invoice["items"] or ():
            out[item["id"]] = {
                "invoice_st_id": invoice["id"],
                "invoice_date": when(invoice["invoiceDate"]),
                "item_type": item["type"],
                "sku_st_id": item["skuId"],
                "sku_name": text(item["skuName"]),
                "quantity": money(item["quantity"]),
                "price": money(item["price"]),
                "total": money(item["total"]),
                "cost": money(item["cost"]),
                "order": item["order"],
                "active": invoice["active"],
            }
    return out


def assert_items_mirrored(simulator):
    want = expected_items(simulator)
    rows = {
        row["st_id"]: row
        for row in InvoiceItem.objects.filter(tenant_id=DEMO_TENANT_ID).values("st_id", *next(iter(want.values())))
    }
    assert set(rows) == set(want)
    for st_id, values in want.items():
        assert {**rows[st_id], "st_id": None} == {**values, "st_id": None}, st_id


def test_invoice_items_follow_their_invoices_through_full_and_incremental_syncs(simulator):
    sync(["accounting.invoices"], full=True)
    assert_items_mirrored(simulator)
    assert InvoiceItem.objects.count() > Invoice.objects.count()  # several lines per invoice

    dataset = simulator.dataset
    changed = next(r for r in dataset.records("accounting.invoices") if len(r["items"]) >= 2)
    # A line removed, a line repriced: the invoice changes in ServiceTitan.
    kept, removed = changed["items"][0], changed["items"][1]
    dataset.update(
        "accounting.invoices",
        changed["id"],
        {"items": [{**kept, "price": "999.50", "quantity": "3"}, *changed["items"][2:]]},
    )
    (gone,) = dataset.delete("accounting.invoices", 1)
    dataset.create("accounting.invoices", 1)
    sync(["accounting.invoices"], full=False)

    assert_items_mirrored(simulator)
    assert not InvoiceItem.objects.filter(st_id=removed["id"]).exists()
    repriced = InvoiceItem.objects.get(st_id=kept["id"])
    assert (repriced.price, repriced.quantity) == (Decimal("999.50"), Decimal("3"))
    assert not InvoiceItem.objects.filter(invoice_st_id=gone, active=True).exists()
    assert InvoiceItem.objects.filter(invoice_st_id=gone).exists()
    assert repriced.invoice.st_id == changed["id"]


def test_invoice_items_are_rebuilt_from_raw(simulator):
    from servicetitan.sync.engine import rebuild_targets

    sync(["accounting.invoices"], full=True)
    count = InvoiceItem.objects.count()
    InvoiceItem.objects.all().delete()
    rebuild_targets(["accounting.invoices"])
    assert InvoiceItem.objects.count() == count
    assert_items_mirrored(simulator)


def test_sync_mirrors_payment_types_terms_and_tax_zones(simulator):
    check_sync(
        simulator,
        {
            "accounting.payment-terms": (
                PaymentTerm,
                lambda r: {"name": text(r["name"]), "due_day": r["dueDay"], "due_day_type": r["dueDayType"]},
            ),
            "accounting.tax-zones": (TaxZone, lambda r: {"name": text(r["name"]), "rates": r["rates"]}),
        },
    )
    # Payment types carry no active flag: listed whole each run, so one no longer listed is deleted.
    sync(["accounting.payment-types"], full=True)
    assert_mirror_equals(simulator, ("accounting.payment-types",), kind="list")
    simulator.dataset.mutate("accounting.payment-types", modify=1, create=1)
    (gone,) = simulator.dataset.delete("accounting.payment-types", 1)
    sync(["accounting.payment-types"], full=False)
    assert PaymentType.objects.get(st_id=gone).deleted
    live = {r["id"] for r in simulator.dataset.records("accounting.payment-types")} - {gone}
    assert set(PaymentType.objects.filter(deleted=False).values_list("st_id", flat=True)) == live
    assert_mirror_equals(simulator, ("accounting.payment-terms", "accounting.tax-zones"), kind="list")


def test_an_invoice_marked_deleted_keeps_no_items(simulator):
    from accounting.streams import STREAMS
    from servicetitan.sync.upsert import upsert_records

    stream = next(s for s in STREAMS if s.key == "accounting.invoices")
    invoice = {"id": 77, "active": True, "items": [{"id": 770, "skuId": 5, "type": "Material", "price": "1.00"}]}
    upsert_records(stream, [invoice], DEMO_TENANT_ID)
    assert InvoiceItem.objects.get(st_id=770).price == Decimal("1.00")
    upsert_records(stream, [{"id": 77, "deleted": True}], DEMO_TENANT_ID)
    assert Invoice.objects.get(st_id=77).deleted
    assert not InvoiceItem.objects.filter(invoice_st_id=77).exists()
