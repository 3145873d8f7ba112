from accounting.models import Invoice, Payment
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
