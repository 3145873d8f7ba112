"""The inventory mirror: adjustments, purchase orders, receipts, returns, transfers, vendors, warehouses and trucks."""

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


class RawReceipt(RawRecord):
    pass


class RawReturn(RawRecord):
    pass


class RawTransfer(RawRecord):
    pass


class RawTruck(RawRecord):
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


class Truck(SyncedModel):
    """A technician's truck: an inventory location of its own (`inventory_location_id` elsewhere may name one)."""

    name = models.TextField()
    memo = models.TextField(blank=True)
    warehouse_st_id = models.BigIntegerField(null=True, blank=True)
    warehouse = mirror_relation("inventory.Warehouse", "warehouse_st_id", related_name="trucks")
    technician_st_ids = models.JSONField(default=list, blank=True)
    inventory_template_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]


class StockDocument(SyncedModel):
    """What ServiceTitan's receipts, returns and transfers share: a numbered document of stock lines, posted to
    accounting (`sync_status`)."""

    number = models.CharField(max_length=255, blank=True, db_index=True)
    memo = models.TextField(blank=True)
    sync_status = models.TextField(blank=True)
    batch_id = models.BigIntegerField(null=True, blank=True)
    # [{skuId, code, name, quantity, cost, …}] as fetched.
    items = models.JSONField(default=list, blank=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        abstract = True


class CancelableStockDocument(StockDocument):
    """A return or a transfer: with a reference number, and a cancellation (who, why, when)."""

    reference_number = models.TextField(blank=True)
    canceled_by_id = models.BigIntegerField(null=True, blank=True)
    canceled_reason = models.TextField(blank=True)
    date_canceled = models.DateTimeField(null=True, blank=True)

    class Meta(StockDocument.Meta):
        abstract = True


class Receipt(AddressColumns, StockDocument):
    """Stock received from a vendor (usually against a purchase order); its address columns are where it shipped to."""

    vendor_invoice_number = models.TextField(blank=True)
    purchase_order_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    purchase_order = mirror_relation("inventory.PurchaseOrder", "purchase_order_st_id", related_name="receipts")
    vendor_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    vendor = mirror_relation("inventory.Vendor", "vendor_st_id", related_name="receipts")
    job_st_id = models.BigIntegerField(null=True, blank=True)
    job = mirror_relation("jobs.Job", "job_st_id", related_name="inventory_receipts")
    technician_st_id = models.BigIntegerField(null=True, blank=True)
    technician = mirror_relation("dispatch.Technician", "technician_st_id", related_name="inventory_receipts")
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    # A warehouse or a truck.
    inventory_location_id = models.BigIntegerField(null=True, blank=True)
    bill_id = models.BigIntegerField(null=True, blank=True)
    budget_code_id = models.BigIntegerField(null=True, blank=True)
    ship_to_description = models.TextField(blank=True)
    receipt_amount = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    shipping_amount = models.DecimalField(**MONEY)
    received_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        **address_mapping("shipTo"),
    }

    class Meta(StockDocument.Meta):
        ordering = ["-received_on", "-st_id"]
        indexes = [models.Index(fields=["-received_on", "-st_id", "-id"], name="inventory_receipt_order")]

    def __str__(self):
        return f"Receipt {self.number or self.st_id}"


class Return(CancelableStockDocument):
    """Stock sent back to a vendor, until the vendor's credit arrives."""

    class Status(models.TextChoices):
        PENDING = "Pending"
        RETURNED = "Returned"
        CREDIT_RECEIVED = "CreditReceived", "Credit received"
        CANCELED = "Canceled"

    status = models.TextField(choices=Status.choices, blank=True)
    vendor_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    vendor = mirror_relation("inventory.Vendor", "vendor_st_id", related_name="returns")
    purchase_order_st_id = models.BigIntegerField(null=True, blank=True)
    purchase_order = mirror_relation("inventory.PurchaseOrder", "purchase_order_st_id", related_name="returns")
    job_st_id = models.BigIntegerField(null=True, blank=True)
    job = mirror_relation("jobs.Job", "job_st_id", related_name="inventory_returns")
    project_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    # A warehouse or a truck.
    inventory_location_id = models.BigIntegerField(null=True, blank=True)
    budget_code_id = models.BigIntegerField(null=True, blank=True)
    return_amount = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    shipping_amount = models.DecimalField(**MONEY)
    return_date = models.DateTimeField(null=True, blank=True)
    returned_on = models.DateTimeField(null=True, blank=True)
    credit_received_on = models.DateTimeField(null=True, blank=True)

    class Meta(CancelableStockDocument.Meta):
        ordering = ["-return_date", "-st_id"]
        indexes = [models.Index(fields=["-return_date", "-st_id", "-id"], name="inventory_return_order")]

    def __str__(self):
        return f"Return {self.number or self.st_id}"


class Transfer(CancelableStockDocument):
    """Stock moved from one inventory location (warehouse or truck) to another."""

    transfer_type = models.TextField(blank=True)
    status = models.TextField(blank=True)
    # Warehouses or trucks.
    from_location_id = models.BigIntegerField(null=True, blank=True)
    to_location_id = models.BigIntegerField(null=True, blank=True)
    job_st_id = models.BigIntegerField(null=True, blank=True)
    job = mirror_relation("jobs.Job", "job_st_id", related_name="inventory_transfers")
    invoice_st_id = models.BigIntegerField(null=True, blank=True)
    date = models.DateTimeField(null=True, blank=True)
    date_required = models.DateTimeField(null=True, blank=True)
    picked_date = models.DateTimeField(null=True, blank=True)
    picked_by_id = models.BigIntegerField(null=True, blank=True)
    received_date = models.DateTimeField(null=True, blank=True)
    received_by_id = models.BigIntegerField(null=True, blank=True)

    class Meta(CancelableStockDocument.Meta):
        ordering = ["-date", "-st_id"]
        indexes = [models.Index(fields=["-date", "-st_id", "-id"], name="inventory_transfer_order")]

    def __str__(self):
        return f"Transfer {self.number or self.st_id}"
