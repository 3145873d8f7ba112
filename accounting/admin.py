from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounting.models import (
    Invoice,
    InvoiceItem,
    Payment,
    PaymentTerm,
    PaymentType,
    RawInvoice,
    RawPayment,
    RawPaymentTerm,
    RawPaymentType,
    RawTaxZone,
    TaxZone,
)
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin


@admin.register(Invoice)
class InvoiceAdmin(MirrorAdmin):
    list_display = ("number", "customer_name", "invoice_date", "due_date", "total", "balance", "review_status")
    list_filter = ("review_status", "sent_status", "invoice_configuration")
    search_fields = ("number", "customer_name", "job_number")
    date_hierarchy = "invoice_date"
    readonly_fields = ("lines",)

    @admin.display(description="items")
    def lines(self, obj):
        items = list(obj.items.all()[:200])
        if not items:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((i.order, i.item_type, i.sku_name, i.description, i.quantity, i.price, i.cost) for i in items),
        )
        link = reverse("admin:accounting_invoiceitem_changelist") + f"?invoice_st_id={obj.st_id}"
        return format_html(
            "<table><tr><th>#</th><th>type</th><th>SKU</th><th>description</th><th>qty</th><th>price</th>"
            '<th>cost</th></tr>{}</table><a href="{}">Open these items</a>',
            rows,
            link,
        )


@admin.register(InvoiceItem)
class InvoiceItemAdmin(MirrorAdmin):
    """Invoice lines, one row each (from the invoices' own JSON: see the invoice for ServiceTitan's record)."""

    list_display = ("invoice", "invoice_date", "item_type", "sku_name", "quantity", "price", "cost", "total")
    list_select_related = ("invoice",)
    list_filter = ("item_type", "add_on", "taxable")
    search_fields = ("sku_name", "description", "=sku_st_id", "=invoice_st_id")
    date_hierarchy = "invoice_date"


@admin.register(Payment)
class PaymentAdmin(MirrorAdmin):
    list_display = ("reference_number", "customer_name", "date", "type", "total", "unapplied_amount")
    list_filter = ("type",)
    search_fields = ("reference_number", "customer_name", "check_number", "memo")
    date_hierarchy = "date"


@admin.register(PaymentType)
class PaymentTypeAdmin(MirrorAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(PaymentTerm)
class PaymentTermAdmin(MirrorAdmin):
    list_display = ("name", "due_day_type", "due_day", "is_customer_default", "is_vendor_default")
    list_filter = ("due_day_type",)
    search_fields = ("name",)


@admin.register(TaxZone)
class TaxZoneAdmin(MirrorAdmin):
    list_display = ("name", "is_tax_rate_separated", "is_multiple_tax_zone")
    search_fields = ("name",)


admin.site.register([RawInvoice, RawPayment, RawPaymentType, RawPaymentTerm, RawTaxZone], RawRecordAdmin)
