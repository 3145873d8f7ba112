"""Accounting streams; invoices also fill their items table (`InvoiceItem`) in their relation step."""

from __future__ import annotations

from servicetitan.conversions import utc_datetime
from servicetitan.sync.relations import Lines
from servicetitan.sync.streams import Stream

INVOICE_ITEMS = Lines(
    "accounting.InvoiceItem",
    "invoice_st_id",
    copied=lambda invoice: {"invoice_date": utc_datetime(invoice.get("invoiceDate"))},
)

STREAMS = [
    Stream("accounting.invoices", "accounting.RawInvoice", "accounting.Invoice", after_page=INVOICE_ITEMS.after_page),
    Stream("accounting.payments", "accounting.RawPayment", "accounting.Payment"),
    Stream("accounting.payment-types", "accounting.RawPaymentType", "accounting.PaymentType"),
    Stream("accounting.payment-terms", "accounting.RawPaymentTerm", "accounting.PaymentTerm"),
    Stream("accounting.tax-zones", "accounting.RawTaxZone", "accounting.TaxZone"),
]
