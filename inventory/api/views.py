from inventory.filtersets import (
    AdjustmentFilterSet,
    PurchaseOrderFilterSet,
    ReceiptFilterSet,
    ReturnFilterSet,
    TransferFilterSet,
    TruckFilterSet,
    VendorFilterSet,
    WarehouseFilterSet,
)
from inventory.models import Adjustment, PurchaseOrder, Receipt, Return, Transfer, Truck, Vendor, Warehouse
from servicetitan.api.views import MirrorViewSet


class AdjustmentViewSet(MirrorViewSet):
    queryset = Adjustment.objects.all()
    filterset_class = AdjustmentFilterSet
    search_fields = ("number", "reference_number", "memo")


class PurchaseOrderViewSet(MirrorViewSet):
    queryset = PurchaseOrder.objects.all()
    filterset_class = PurchaseOrderFilterSet
    search_fields = ("number", "vendor_document_number", "summary")


class VendorViewSet(MirrorViewSet):
    queryset = Vendor.objects.all()
    filterset_class = VendorFilterSet
    search_fields = ("name", "contact_email")


class WarehouseViewSet(MirrorViewSet):
    queryset = Warehouse.objects.all()
    filterset_class = WarehouseFilterSet
    search_fields = ("name",)


class TruckViewSet(MirrorViewSet):
    queryset = Truck.objects.all()
    filterset_class = TruckFilterSet
    search_fields = ("name",)


class ReceiptViewSet(MirrorViewSet):
    queryset = Receipt.objects.all()
    filterset_class = ReceiptFilterSet
    search_fields = ("number", "vendor_invoice_number", "memo")


class ReturnViewSet(MirrorViewSet):
    queryset = Return.objects.all()
    filterset_class = ReturnFilterSet
    search_fields = ("number", "reference_number", "memo")


class TransferViewSet(MirrorViewSet):
    queryset = Transfer.objects.all()
    filterset_class = TransferFilterSet
    search_fields = ("number", "reference_number", "memo")
