import pytest
from django.urls import reverse

from accounting.models import Invoice
from tests.accounting.factories import InvoiceItemFactory, PaymentTermFactory, PaymentTypeFactory, TaxZoneFactory
from tests.admin_support import check_mirror_admin, staff_client
from tests.factories import InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [InvoiceFactory, PaymentFactory])
def test_read_only_admin(factory):
    check_mirror_admin(factory)


@pytest.mark.parametrize("factory", [PaymentTypeFactory, PaymentTermFactory, TaxZoneFactory])
def test_read_only_admin_of_reference_data(factory):
    check_mirror_admin(factory)


def test_invoice_items_in_the_admin_and_on_their_invoice():
    item = InvoiceItemFactory(sku_name="MAT-<01>")
    client = staff_client(superuser=False, groups=["Viewers"])
    listed = client.get(reverse("admin:accounting_invoiceitem_changelist"), {"q": "MAT-<01>"})
    assert listed.status_code == 200 and "MAT-&lt;01&gt;" in listed.content.decode()
    invoice = Invoice.objects.get(st_id=item.invoice_st_id)
    page = client.get(reverse("admin:accounting_invoice_change", args=[invoice.pk])).content.decode()
    assert "MAT-&lt;01&gt;" in page
    InvoiceItemFactory(sku_name="MAT-other")
    lines = client.get(reverse("admin:accounting_invoiceitem_changelist"), {"invoice_st_id": invoice.st_id})
    assert lines.status_code == 200 and "MAT-other" not in lines.content.decode()
    assert f"?invoice_st_id={invoice.st_id}" in page
    assert staff_client().get(reverse("admin:accounting_invoiceitem_add")).status_code == 403
