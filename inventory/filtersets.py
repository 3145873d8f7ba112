from inventory.models import Adjustment, PurchaseOrder, Vendor, Warehouse
from servicetitan.api.filtersets import MirrorFilterSet

TEXT = ["exact", "icontains"]
IDS = ["exact", "in"]
PERIOD = ["gte", "lt"]


class AdjustmentFilterSet(MirrorFilterSet):
    class Meta:
        model = Adjustment
        fields = {"number": ["exact"], "type": ["exact"], "sync_status": ["exact"], "date": PERIOD}


class PurchaseOrderFilterSet(MirrorFilterSet):
    class Meta:
        model = PurchaseOrder
        fields = {"number": ["exact"], "status": ["exact"], "vendor_st_id": IDS, "job_st_id": IDS, "date": PERIOD}


class VendorFilterSet(MirrorFilterSet):
    class Meta:
        model = Vendor
        fields = {"name": TEXT, "is_truck_replenishment": ["exact"]}


class WarehouseFilterSet(MirrorFilterSet):
    class Meta:
        model = Warehouse
        fields = {"name": TEXT}
