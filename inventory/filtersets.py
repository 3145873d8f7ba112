from inventory.models import Adjustment, PurchaseOrder, Receipt, Return, Transfer, Truck, Vendor, Warehouse
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


class TruckFilterSet(MirrorFilterSet):
    class Meta:
        model = Truck
        fields = {"name": TEXT, "warehouse_st_id": IDS}


class ReceiptFilterSet(MirrorFilterSet):
    class Meta:
        model = Receipt
        fields = {
            "number": ["exact"],
            "vendor_st_id": IDS,
            "purchase_order_st_id": IDS,
            "sync_status": ["exact"],
            "received_on": PERIOD,
        }


class ReturnFilterSet(MirrorFilterSet):
    class Meta:
        model = Return
        fields = {
            "number": ["exact"],
            "status": ["exact"],
            "vendor_st_id": IDS,
            "purchase_order_st_id": IDS,
            "sync_status": ["exact"],
            "return_date": PERIOD,
        }


class TransferFilterSet(MirrorFilterSet):
    class Meta:
        model = Transfer
        fields = {
            "number": ["exact"],
            "status": ["exact"],
            "transfer_type": ["exact"],
            "from_location_id": IDS,
            "to_location_id": IDS,
            "sync_status": ["exact"],
            "date": PERIOD,
        }
