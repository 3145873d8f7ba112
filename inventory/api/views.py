from inventory.filtersets import AdjustmentFilterSet, PurchaseOrderFilterSet, VendorFilterSet, WarehouseFilterSet
from inventory.models import Adjustment, PurchaseOrder, Vendor, Warehouse
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
