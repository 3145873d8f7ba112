from accounting.api.serializers import InvoiceSerializer, PaymentSerializer
from accounting.filtersets import InvoiceFilterSet, PaymentFilterSet
from accounting.models import Invoice, Payment
from servicetitan.api.views import MirrorViewSet


class InvoiceViewSet(MirrorViewSet):
    queryset = Invoice.objects.all()
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet
    search_fields = ("number", "customer_name", "job_number")


class PaymentViewSet(MirrorViewSet):
    queryset = Payment.objects.all()
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet
    search_fields = ("reference_number", "customer_name", "memo")
