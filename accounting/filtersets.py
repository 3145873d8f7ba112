from accounting.models import Invoice, InvoiceItem, Payment, PaymentTerm, PaymentType, TaxZone
from servicetitan.api.filtersets import MirrorFilterSet

IDS = ["exact", "in"]
PERIOD = ["gte", "lt"]


class InvoiceFilterSet(MirrorFilterSet):
    class Meta:
        model = Invoice
        fields = {
            "number": ["exact"],
            "customer_st_id": IDS,
            "location_st_id": IDS,
            "job_st_id": IDS,
            "business_unit_st_id": IDS,
            "invoice_date": PERIOD,
            "due_date": PERIOD,
            "review_status": ["exact"],
            "sent_status": ["exact"],
        }


class PaymentFilterSet(MirrorFilterSet):
    class Meta:
        model = Payment
        fields = {"reference_number": ["exact"], "customer_st_id": IDS, "type": ["exact"], "date": PERIOD}


class InvoiceItemFilterSet(MirrorFilterSet):
    class Meta:
        model = InvoiceItem
        fields = {
            "invoice_st_id": IDS,
            "sku_st_id": IDS,
            "sku_name": ["exact", "icontains"],
            "item_type": ["exact"],
            "invoice_date": PERIOD,
            "price": ["gte", "lte"],
            "estimate_item_st_id": IDS,
        }


class PaymentTypeFilterSet(MirrorFilterSet):
    class Meta:
        model = PaymentType
        fields = {"name": ["exact", "icontains"]}


class PaymentTermFilterSet(MirrorFilterSet):
    class Meta:
        model = PaymentTerm
        fields = {"name": ["exact", "icontains"], "due_day_type": ["exact"]}


class TaxZoneFilterSet(MirrorFilterSet):
    class Meta:
        model = TaxZone
        fields = {"name": ["exact", "icontains"]}
