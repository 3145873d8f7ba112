from accounting.models import Invoice, InvoiceItem, Payment, PaymentTerm, PaymentType, TaxZone
from servicetitan.api.serializers import MirrorSerializer


class InvoiceSerializer(MirrorSerializer):
    class Meta:
        model = Invoice


class InvoiceItemSerializer(MirrorSerializer):
    class Meta:
        model = InvoiceItem
        fields = ("invoice_st_id", "invoice_date", *InvoiceItem.mapped_columns())


class PaymentSerializer(MirrorSerializer):
    class Meta:
        model = Payment


class PaymentTypeSerializer(MirrorSerializer):
    class Meta:
        model = PaymentType


class PaymentTermSerializer(MirrorSerializer):
    class Meta:
        model = PaymentTerm


class TaxZoneSerializer(MirrorSerializer):
    class Meta:
        model = TaxZone
