from accounting.models import InvoiceItem
from servicetitan.api.serializers import MirrorSerializer


class InvoiceItemSerializer(MirrorSerializer):
    class Meta:
        model = InvoiceItem
        fields = ("invoice_st_id", "invoice_date", *InvoiceItem.mapped_columns())
