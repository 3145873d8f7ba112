import pytest

from accounting.models import Invoice, Payment
from tests.sync_support import check_sync, money, text, when

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
