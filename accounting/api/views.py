from accounting.api.serializers import (
    InvoiceItemSerializer,
)
from accounting.filtersets import (
    InvoiceFilterSet,
    InvoiceItemFilterSet,
    PaymentFilterSet,
    PaymentTermFilterSet,
    PaymentTypeFilterSet,
    TaxZoneFilterSet,
)
from accounting.models import Invoice, InvoiceItem, Payment, PaymentTerm, PaymentType, TaxZone
from servicetitan.api.views import MirrorViewSet


class InvoiceViewSet(MirrorViewSet):
    queryset = Invoice.objects.all()
    filterset_class = InvoiceFilterSet
    search_fields = ("number", "customer_name", "job_number")


class InvoiceItemViewSet(MirrorViewSet):
    queryset = InvoiceItem.objects.all()
    serializer_class = InvoiceItemSerializer
    filterset_class = InvoiceItemFilterSet
    search_fields = ("sku_name", "description")


class PaymentViewSet(MirrorViewSet):
    queryset = Payment.objects.all()
    filterset_class = PaymentFilterSet
    search_fields = ("reference_number", "customer_name", "memo")


class PaymentTypeViewSet(MirrorViewSet):
    queryset = PaymentType.objects.all()
    filterset_class = PaymentTypeFilterSet
    search_fields = ("name",)


class PaymentTermViewSet(MirrorViewSet):
    queryset = PaymentTerm.objects.all()
    filterset_class = PaymentTermFilterSet
    search_fields = ("name",)


class TaxZoneViewSet(MirrorViewSet):
    queryset = TaxZone.objects.all()
    filterset_class = TaxZoneFilterSet
    search_fields = ("name",)
