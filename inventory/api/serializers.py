from inventory.models import Adjustment, PurchaseOrder, Vendor, Warehouse
from servicetitan.api.serializers import MirrorSerializer


class AdjustmentSerializer(MirrorSerializer):
    class Meta:
        model = Adjustment


class PurchaseOrderSerializer(MirrorSerializer):
    class Meta:
        model = PurchaseOrder


class VendorSerializer(MirrorSerializer):
    class Meta:
        model = Vendor


class WarehouseSerializer(MirrorSerializer):
    class Meta:
        model = Warehouse
