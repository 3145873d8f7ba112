from django.contrib import admin

from inventory.models import (
    Adjustment,
    PurchaseOrder,
    RawAdjustment,
    RawPurchaseOrder,
    RawVendor,
    RawWarehouse,
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


admin.site.register([RawAdjustment, RawPurchaseOrder, RawVendor, RawWarehouse], RawRecordAdmin)
