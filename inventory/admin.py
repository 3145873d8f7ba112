from django.contrib import admin

from inventory.models import (
    Adjustment,
    PurchaseOrder,
    RawAdjustment,
    RawPurchaseOrder,
    RawReceipt,
    RawReturn,
    RawTransfer,
    RawTruck,
    RawVendor,
    RawWarehouse,
    Receipt,
    Return,
    Transfer,
    Truck,
    Vendor,
    Warehouse,
)
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin


@admin.register(Adjustment)
class AdjustmentAdmin(MirrorAdmin):
    list_display = ("number", "type", "date", "sync_status", "inventory_location_id")
    list_filter = ("type", "sync_status")
    search_fields = ("number", "reference_number", "memo")
    date_hierarchy = "date"


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(MirrorAdmin):
    list_display = ("number", "vendor", "status", "date", "total")
    list_select_related = ("vendor",)
    list_filter = ("status",)
    search_fields = ("number", "vendor_document_number", "vendor__name", "summary")
    date_hierarchy = "date"


@admin.register(Vendor)
class VendorAdmin(MirrorAdmin):
    list_display = ("name", "city", "state", "contact_email", "contact_phone")
    list_filter = ("is_truck_replenishment", "state")
    search_fields = ("name", "contact_email", "city")


@admin.register(Warehouse)
class WarehouseAdmin(MirrorAdmin):
    list_display = ("name", "street", "city", "state")
    search_fields = ("name", "city")


@admin.register(Truck)
class TruckAdmin(MirrorAdmin):
    list_display = ("name", "warehouse", "memo")
    list_select_related = ("warehouse",)
    search_fields = ("name", "memo")


@admin.register(Receipt)
class ReceiptAdmin(MirrorAdmin):
    list_display = ("number", "vendor", "purchase_order", "received_on", "receipt_amount", "sync_status")
    list_select_related = ("vendor", "purchase_order")
    list_filter = ("sync_status",)
    search_fields = ("number", "vendor_invoice_number", "vendor__name", "memo")
    date_hierarchy = "received_on"


@admin.register(Return)
class ReturnAdmin(MirrorAdmin):
    list_display = ("number", "vendor", "status", "return_date", "return_amount", "sync_status")
    list_select_related = ("vendor",)
    list_filter = ("status", "sync_status")
    search_fields = ("number", "reference_number", "vendor__name", "memo")
    date_hierarchy = "return_date"


@admin.register(Transfer)
class TransferAdmin(MirrorAdmin):
    list_display = ("number", "transfer_type", "status", "date", "from_location_id", "to_location_id")
    list_filter = ("status", "transfer_type", "sync_status")
    search_fields = ("number", "reference_number", "memo")
    date_hierarchy = "date"


admin.site.register(
    [RawAdjustment, RawPurchaseOrder, RawVendor, RawWarehouse, RawTruck, RawReceipt, RawReturn, RawTransfer],
    RawRecordAdmin,
)
