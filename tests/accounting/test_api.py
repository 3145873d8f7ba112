import datetime

import pytest
from django.utils import timezone

from tests.accounting.factories import InvoiceItemFactory, PaymentTermFactory, PaymentTypeFactory, TaxZoneFactory
from tests.api_support import check_read_endpoint, check_read_only, client_for, st_ids
from tests.factories import CustomerFactory, InvoiceFactory, PaymentFactory, viewer

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("/api/v1/accounting/invoices/", InvoiceFactory),
    ("/api/v1/accounting/payments/", PaymentFactory),
    ("/api/v1/accounting/invoice-items/", InvoiceItemFactory),
    ("/api/v1/accounting/payment-types/", PaymentTypeFactory),
    ("/api/v1/accounting/payment-terms/", PaymentTermFactory),
    ("/api/v1/accounting/tax-zones/", TaxZoneFactory),
]


@pytest.mark.parametrize(("url", "factory"), ENDPOINTS)
def test_read_endpoint(url, factory):
    check_read_endpoint(url, factory)


@pytest.mark.parametrize(("url", "factory"), ENDPOINTS)
def test_read_only(url, factory):
    check_read_only(url, factory)


def test_invoices_filter_by_customer_and_date():
    customer = CustomerFactory()
    recent = InvoiceFactory(customer_st_id=customer.st_id, invoice_date=timezone.now())
    InvoiceFactory(invoice_date=timezone.now() - datetime.timedelta(days=90))
    client = client_for(viewer())
    url = "/api/v1/accounting/invoices/"
    assert st_ids(client.get(url, {"customer_st_id": customer.st_id})) == {str(recent.st_id)}
    since = (timezone.now() - datetime.timedelta(days=7)).isoformat()
    assert st_ids(client.get(url, {"invoice_date__gte": since})) == {str(recent.st_id)}
    assert client.get(f"{url}{recent.st_id}/").json()["total"] == "100.0000"
    assert list(customer.invoices.all()) == [recent]


def test_invoice_items_filter_by_sku_invoice_type_and_date():
    sold = InvoiceItemFactory(sku_st_id=4242, item_type="Service", invoice_date=timezone.now())
    InvoiceItemFactory(invoice_st_id=sold.invoice_st_id, invoice_date=timezone.now() - datetime.timedelta(days=90))
    client = client_for(viewer())
    url = "/api/v1/accounting/invoice-items/"
    assert st_ids(client.get(url, {"sku_st_id": 4242})) == {str(sold.st_id)}
    assert st_ids(client.get(url, {"item_type": "Service"})) == {str(sold.st_id)}
    assert len(st_ids(client.get(url, {"invoice_st_id": sold.invoice_st_id}))) == 2
    since = (timezone.now() - datetime.timedelta(days=30)).isoformat()
    assert st_ids(client.get(url, {"invoice_date__gte": since})) == {str(sold.st_id)}
    row = client.get(f"{url}{sold.st_id}/").json()
    assert {"sku_st_id", "sku_name", "quantity", "price", "cost", "invoice_st_id", "invoice_date"} <= set(row)
