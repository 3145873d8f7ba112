"""The inventory mirror: adjustments, purchase orders, vendors and warehouses."""

from django.db import models

from servicetitan.conversions import boolean_or_none, sql_boolean
from servicetitan.mirroring import MONEY, AddressColumns, address_mapping, mirror_relation
from servicetitan.models import Computed, RawRecord, SyncedModel


# --- Raw: the full JSON of each record ---------------------------------------------------------------------------------
class RawAdjustment(RawRecord):
    pass


class RawPurchaseOrder(RawRecord):
    pass


class RawVendor(RawRecord):
    pass


class RawWarehouse(RawRecord):
    pass


# --- Master -----------------------------------------------------------------------------------------------------------
class Vendor(AddressColumns, SyncedModel):
    name = models.TextField()
    memo = models.TextField(blank=True)
    delivery_option = models.TextField(blank=True)
    default_tax_rate = models.DecimalField(max_digits=10, decimal_places=6, default=0)
    is_truck_replenishment = models.BooleanField(default=False)
    is_mobile_creation_restricted = models.BooleanField(default=False)
    contact_first_name = models.TextField(blank=True)
    contact_last_name = models.TextField(blank=True)
    contact_phone = models.TextField(blank=True)
    contact_email = models.TextField(blank=True)
    contact_fax = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "contact_first_name": "contactInfo.firstName",
        "contact_last_name": "contactInfo.lastName",
        "contact_phone": "contactInfo.phone",
        "contact_email": "contactInfo.email",
        "contact_fax": "contactInfo.fax",
        **address_mapping("address"),
    }

    class Meta(SyncedModel.Meta):
        ordering = ["name"]


class Warehouse(AddressColumns, SyncedModel):
    name = models.TextField()
    inventory_template_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        **address_mapping("address"),
    }

    class Meta(SyncedModel.Meta):
        ordering = ["name"]


class PurchaseOrder(AddressColumns, SyncedModel):
    """A purchase order; its address columns are where it ships to."""

    number = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.TextField(blank=True)
    type_id = models.BigIntegerField(null=True, blank=True)
    vendor_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    vendor = mirror_relation("inventory.Vendor", "vendor_st_id", related_name="purchase_orders")
    vendor_document_number = models.TextField(blank=True)
    job_st_id = models.BigIntegerField(null=True, blank=True)
    job = mirror_relation("jobs.Job", "job_st_id", related_name="purchase_orders")
    project_st_id = models.BigIntegerField(null=True, blank=True)
    invoice_st_id = models.BigIntegerField(null=True, blank=True)
    technician_st_id = models.BigIntegerField(null=True, blank=True)
    technician = mirror_relation("dispatch.Technician", "technician_st_id", related_name="purchase_orders")
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    # A warehouse or a truck.
    inventory_location_id = models.BigIntegerField(null=True, blank=True)
    date = models.DateTimeField(null=True, blank=True)
    required_on = models.DateTimeField(null=True, blank=True)
    sent_on = models.DateTimeField(null=True, blank=True)
    received_on = models.DateTimeField(null=True, blank=True)
    total = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    shipping = models.DecimalField(**MONEY)
    summary = models.TextField(blank=True)
    # [{skuId, skuCode, quantity, quantityReceived, cost, total, …}] as fetched.
    items = models.JSONField(default=list, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        # Purchase orders have no `active`: a canceled one is the inactive one.
        "active": Computed(
            lambda payload: (
                boolean_or_none(payload["active"]) if "active" in payload else payload.get("status") != "Canceled"
            ),
            sql="CASE WHEN payload ? 'active' THEN " + sql_boolean("(payload ->> 'active')") + " "
            "ELSE (payload ->> 'status') IS DISTINCT FROM 'Canceled' END",
        ),
        **address_mapping("shipTo"),
    }

    class Meta(SyncedModel.Meta):
        ordering = ["-date", "-st_id"]
        # The admin lists in this order, the primary key last as its tie-break: one index serves it.
        indexes = [models.Index(fields=["-date", "-st_id", "-id"], name="inventory_po_order")]

    def __str__(self):
        return f"PO {self.number or self.st_id}"


class Adjustment(SyncedModel):
    number = models.CharField(max_length=255, blank=True, db_index=True)
    reference_number = models.TextField(blank=True)
    type = models.TextField(blank=True)
    # A warehouse or a truck.
    inventory_location_id = models.BigIntegerField(null=True, blank=True)
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    invoice_st_id = models.BigIntegerField(null=True, blank=True)
    project_st_id = models.BigIntegerField(null=True, blank=True)
    memo = models.TextField(blank=True)
    date = models.DateTimeField(null=True, blank=True)
    sync_status = models.TextField(blank=True)
    canceled_reason = models.TextField(blank=True)
    date_canceled = models.DateTimeField(null=True, blank=True)
    # [{skuId, code, name, quantity, cost, totalCost, …}] as fetched.
    items = models.JSONField(default=list, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["-date", "-st_id"]
        # The admin lists in this order, the primary key last as its tie-break: one index serves it.
        indexes = [models.Index(fields=["-date", "-st_id", "-id"], name="inventory_adjustment_order")]

    def __str__(self):
        return f"Adjustment {self.number or self.st_id}"
