"""Mirrored records link to each other on their admin pages, and money reads with two decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.admin_support import staff_client
from tests.factories import (
    AppointmentFactory,
    CustomerFactory,
    InvoiceFactory,
    JobFactory,
    LocationFactory,
    PurchaseOrderFactory,
)

pytestmark = pytest.mark.django_db


def change_page(client, row) -> str:
    opts = row._meta
    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
    assert page.status_code == 200
    return page.content.decode()


def test_customer_job_and_invoice_link_to_each_other():
    client = staff_client(superuser=False, groups=["Viewers"])
    customer = CustomerFactory(name="Ada Plumbing", balance=Decimal("1234.5"))
    LocationFactory(customer_st_id=customer.st_id)
    LocationFactory(customer_st_id=customer.st_id)
    job = JobFactory(customer_st_id=customer.st_id)
    AppointmentFactory(job_st_id=job.st_id)
    PurchaseOrderFactory(job_st_id=job.st_id)
    invoice = InvoiceFactory(customer_st_id=customer.st_id, job_st_id=job.st_id, total=Decimal("99.99"))

    page = change_page(client, customer)
    assert f"/admin/crm/location/?tenant_id={customer.tenant_id}&amp;customer_st_id={customer.st_id}" in page
    assert "Locations (2)" in page and "Jobs (1)" in page and "Invoices (1)" in page
    assert "1,234.50" in page and "1234.5000" not in page
    # The linked list shows just those rows.
    listed = client.get("/admin/crm/location/", {"tenant_id": customer.tenant_id, "customer_st_id": customer.st_id})
    assert listed.status_code == 200 and len(listed.context["cl"].result_list) == 2

    page = change_page(client, job)
    assert "Appointments (1)" in page and "Invoices (1)" in page and "Purchase orders (1)" in page
    assert reverse("admin:crm_customer_change", args=[customer.pk]) in page

    page = change_page(client, invoice)
    assert reverse("admin:crm_customer_change", args=[customer.pk]) in page
    assert reverse("admin:jobs_job_change", args=[job.pk]) in page
    assert "99.99" in page and "99.9900" not in page


def test_money_in_lists_has_two_decimals():
    InvoiceFactory(total=Decimal("100.5"), balance=Decimal("7"))
    client = staff_client()
    page = client.get("/admin/accounting/invoice/").content.decode()
    assert "100.50" in page and "100.5000" not in page
