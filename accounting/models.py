"""The accounting mirror: invoices with their items, payments, payment types and terms, tax zones.

ServiceTitan sends accounting amounts as strings ("125.00"); `decimal_at` reads them, treating "" as missing.
"""

from django.db import models

from servicetitan.mirroring import AddressColumns, address_mapping, decimal_at, mirror_relation
from servicetitan.models import RawRecord, SyncedModel

AMOUNT = {"max_digits": 14, "decimal_places": 4, "null": True, "blank": True}


# --- Raw: the full JSON of each record ---------------------------------------------------------------------------------
class RawInvoice(RawRecord):
    pass


class RawPayment(RawRecord):
    pass


class RawPaymentType(RawRecord):
    pass


class RawPaymentTerm(RawRecord):
    pass


class RawTaxZone(RawRecord):
    pass


# --- Master -----------------------------------------------------------------------------------------------------------
class Invoice(AddressColumns, SyncedModel):
    """An invoice; its address columns are the customer's billing address as printed on it."""

    number = models.CharField(max_length=255, blank=True, db_index=True)
    invoice_type = models.TextField(blank=True)
    invoice_configuration = models.TextField(blank=True)
    invoice_date = models.DateTimeField(null=True, blank=True)
    due_date = models.DateTimeField(null=True, blank=True)
    subtotal = models.DecimalField(**AMOUNT)
    sales_tax = models.DecimalField(**AMOUNT)
    discount_total = models.DecimalField(**AMOUNT)
    total = models.DecimalField(**AMOUNT)
    balance = models.DecimalField(**AMOUNT)
    paid_on = models.DateTimeField(null=True, blank=True)
    customer_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    customer = mirror_relation("crm.Customer", "customer_st_id", related_name="invoices")
    customer_name = models.TextField(blank=True)
    location_st_id = models.BigIntegerField(null=True, blank=True)
    location = mirror_relation("crm.Location", "location_st_id", related_name="invoices")
    job_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    job = mirror_relation("jobs.Job", "job_st_id", related_name="invoices")
    job_number = models.TextField(blank=True)
    project_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit = mirror_relation("dispatch.BusinessUnit", "business_unit_st_id", related_name="invoices")
    sent_status = models.TextField(blank=True)
    review_status = models.TextField(blank=True)
    sync_status = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "number": "referenceNumber",
        "invoice_type": "invoiceType.name",
        "subtotal": decimal_at("subTotal"),
        "sales_tax": decimal_at("salesTax"),
        "discount_total": decimal_at("discountTotal"),
        "total": decimal_at("total"),
        "balance": decimal_at("balance"),
        "customer_st_id": "customer.id",
        "customer_name": "customer.name",
        **address_mapping("customerAddress"),
        "location_st_id": "location.id",
        "job_st_id": "job.id",
        "job_number": "job.number",
        "business_unit_st_id": "businessUnit.id",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["-invoice_date", "-st_id"]
        # The admin lists in this order, the primary key last as its tie-break: one index serves it.
        indexes = [models.Index(fields=["-invoice_date", "-st_id", "-id"], name="accounting_invoice_order")]

    def __str__(self):
        return f"Invoice {self.number or self.st_id}"


class Payment(SyncedModel):
    reference_number = models.CharField(max_length=255, blank=True, db_index=True)
    type = models.TextField(blank=True)
    date = models.DateTimeField(null=True, blank=True)
    total = models.DecimalField(**AMOUNT)
    unapplied_amount = models.DecimalField(**AMOUNT)
    memo = models.TextField(blank=True)
    check_number = models.TextField(blank=True)
    customer_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    customer = mirror_relation("crm.Customer", "customer_st_id", related_name="payments")
    customer_name = models.TextField(blank=True)
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit = mirror_relation("dispatch.BusinessUnit", "business_unit_st_id", related_name="payments")
    # [{appliedTo: invoice id, appliedAmount, appliedOn, …}] as fetched.
    applied_to = models.JSONField(default=list, blank=True)
    sync_status = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "total": decimal_at("total"),
        "unapplied_amount": decimal_at("unappliedAmount"),
        "customer_st_id": "customer.id",
        "customer_name": "customer.name",
        "business_unit_st_id": "businessUnit.id",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["-date", "-st_id"]
        # The admin lists in this order, the primary key last as its tie-break: one index serves it.
        indexes = [models.Index(fields=["-date", "-st_id", "-id"], name="accounting_payment_order")]

    def __str__(self):
        return f"Payment {self.reference_number or self.st_id}"


class InvoiceItem(SyncedModel):
    """One line of an invoice (a material, service, equipment, …), queryable on its own: what sold, how many, at
    what price and cost.

    Not a stream of its own: the invoices stream fills this table from each invoice's `items` in its relation step
    (`accounting.streams.replace_invoice_items`), a page at a time. `st_mapping` maps one item of the payload;
    `invoice_st_id` and `invoice_date` come from the invoice around it.
    """

    invoice_st_id = models.BigIntegerField(db_index=True)
    invoice = mirror_relation("accounting.Invoice", "invoice_st_id", related_name="items")
    # The invoice's date, copied so per-item figures over a period need no join.
    invoice_date = models.DateTimeField(null=True, blank=True)
    item_type = models.TextField(blank=True)
    sku_st_id = models.BigIntegerField(null=True, blank=True)
    material = mirror_relation("pricebook.Material", "sku_st_id", related_name="invoice_items")
    service = mirror_relation("pricebook.Service", "sku_st_id", related_name="invoice_items")
    equipment = mirror_relation("pricebook.Equipment", "sku_st_id", related_name="invoice_items")
    sku_name = models.TextField("SKU", blank=True)
    display_name = models.TextField(blank=True)
    description = models.TextField(blank=True)
    quantity = models.DecimalField(**AMOUNT)
    price = models.DecimalField(**AMOUNT)
    member_price = models.DecimalField(**AMOUNT)
    total = models.DecimalField(**AMOUNT)
    cost = models.DecimalField(**AMOUNT)
    total_cost = models.DecimalField(**AMOUNT)
    sold_hours = models.FloatField(null=True, blank=True)
    taxable = models.BooleanField(default=False)
    is_chargeable = models.BooleanField(default=True)
    add_on = models.BooleanField(default=False)
    order = models.IntegerField(default=0)
    service_date = models.DateTimeField(null=True, blank=True)
    technician_id = models.BigIntegerField(null=True, blank=True)
    estimate_item_st_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    # The invoice around the item.
    st_unmapped = ("invoice_st_id", "invoice_date")

    st_mapping = {
        "item_type": "type",
        "quantity": decimal_at("quantity"),
        "price": decimal_at("price"),
        "member_price": decimal_at("memberPrice"),
        "total": decimal_at("total"),
        "cost": decimal_at("cost"),
        "total_cost": decimal_at("totalCost"),
    }

    class Meta(SyncedModel.Meta):
        ordering = ["invoice_st_id", "order", "st_id"]
        indexes = [
            models.Index(fields=["tenant_id", "sku_st_id", "invoice_date"], name="accounting_item_sku_date"),
            # The lines that count as sold (sales.selectors), by type and SKU, with what is summed: the figures of a
            # list page (a probe per item) and of a whole item type (one pass) read the index only, not the table.
            models.Index(
                fields=["tenant_id", "item_type", "sku_st_id", "invoice_date"],
                include=["quantity", "total", "cost"],
                condition=models.Q(active=True, deleted=False),
                name="accounting_item_sold",
            ),
        ]

    def __str__(self):
        return f"{self.sku_name or self.item_type or 'Item'} on invoice {self.invoice_st_id}"


# --- Reference data ---------------------------------------------------------------------------------------------------
class PaymentType(SyncedModel):
    name = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]


class PaymentTerm(SyncedModel):
    name = models.TextField(blank=True)
    due_day_type = models.TextField(blank=True)
    due_day = models.IntegerField(null=True, blank=True)
    is_customer_default = models.BooleanField(default=False)
    is_vendor_default = models.BooleanField(default=False)
    in_use = models.BooleanField(null=True, blank=True)
    discount = models.JSONField(null=True, blank=True)
    interest_settings = models.JSONField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "discount": "paymentTermDiscountModel",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]


class TaxZone(SyncedModel):
    name = models.TextField(blank=True)
    color = models.IntegerField(null=True, blank=True)
    is_tax_rate_separated = models.BooleanField(default=False)
    is_multiple_tax_zone = models.BooleanField(default=False)
    # [{id, taxName, taxBaseType, taxRate, salesTaxItem}, …] as fetched.
    rates = models.JSONField(default=list, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]
