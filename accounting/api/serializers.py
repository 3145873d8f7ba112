from accounting.models import Invoice, Payment
from servicetitan.api.serializers import MirrorSerializer


class InvoiceSerializer(MirrorSerializer):
    class Meta:
        model = Invoice


class PaymentSerializer(MirrorSerializer):
    class Meta:
        model = Payment
