"""The accounting mirror: invoices and payments.

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
        "invoice_configuration": "invoiceConfiguration",
        "invoice_date": "invoiceDate",
        "due_date": "dueDate",
        "subtotal": decimal_at("subTotal"),
        "sales_tax": decimal_at("salesTax"),
        "discount_total": decimal_at("discountTotal"),
        "total": decimal_at("total"),
        "balance": decimal_at("balance"),
        "paid_on": "paidOn",
        "customer_st_id": "customer.id",
        "customer_name": "customer.name",
        **address_mapping("customerAddress"),
        "location_st_id": "location.id",
        "job_st_id": "job.id",
        "job_number": "job.number",
        "project_st_id": "projectId",
        "business_unit_st_id": "businessUnit.id",
        "sent_status": "sentStatus",
        "review_status": "reviewStatus",
        "sync_status": "syncStatus",
        "summary": "summary",
        "created_on": "createdOn",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["-invoice_date", "-st_id"]

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
        "reference_number": "referenceNumber",
        "type": "type",
        "date": "date",
        "total": decimal_at("total"),
        "unapplied_amount": decimal_at("unappliedAmount"),
        "memo": "memo",
        "check_number": "checkNumber",
        "customer_st_id": "customer.id",
        "customer_name": "customer.name",
        "business_unit_st_id": "businessUnit.id",
        "applied_to": "appliedTo",
        "sync_status": "syncStatus",
        "created_on": "createdOn",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["-date", "-st_id"]

    def __str__(self):
        return f"Payment {self.reference_number or self.st_id}"
