from django.contrib import admin

from accounting.models import Invoice, Payment, RawInvoice, RawPayment
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin


@admin.register(Invoice)
class InvoiceAdmin(MirrorAdmin):
    list_display = ("number", "customer_name", "invoice_date", "due_date", "total", "balance", "review_status")
    list_filter = ("review_status", "sent_status", "invoice_configuration")
    search_fields = ("number", "customer_name", "job_number")
    date_hierarchy = "invoice_date"


@admin.register(Payment)
class PaymentAdmin(MirrorAdmin):
    list_display = ("reference_number", "customer_name", "date", "type", "total", "unapplied_amount")
    list_filter = ("type",)
    search_fields = ("reference_number", "customer_name", "check_number", "memo")
    date_hierarchy = "date"


admin.site.register([RawInvoice, RawPayment], RawRecordAdmin)
