"""The sales mirror (ServiceTitan's sales API, `salestech-v2.json`): estimates, and their items as rows of their own;
and the pricebook lists that price a sale: discounts and fees, client-specific rate sheets (edited through the
pricebook's overrides, kinds `discount_fee` and `rate_sheet`: the mirror stays ServiceTitan's values).

Estimate amounts are numbers (not strings, as in accounting). An estimate's `status` is `{value, name}`: `Open`, `Sold`
or `Dismissed`.
"""

from django.db import models

from servicetitan.mirroring import mirror_relation
from servicetitan.models import RawRecord, SyncedModel

AMOUNT = {"max_digits": 14, "decimal_places": 4, "null": True, "blank": True}


# --- Raw: the full JSON of each record ---------------------------------------------------------------------------------
class RawEstimate(RawRecord):
    pass


class RawDiscountFee(RawRecord):
    pass


class RawRateSheet(RawRecord):
    pass


# --- Master -----------------------------------------------------------------------------------------------------------
class Estimate(SyncedModel):
    class Status(models.TextChoices):
        OPEN = "Open"
        SOLD = "Sold"
        DISMISSED = "Dismissed"

    name = models.TextField(blank=True)
    status = models.CharField(max_length=32, blank=True, db_index=True)
    review_status = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    job_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    job = mirror_relation("jobs.Job", "job_st_id", related_name="estimates")
    job_number = models.TextField(blank=True)
    project_st_id = models.BigIntegerField(null=True, blank=True)
    project = mirror_relation("jobs.Project", "project_st_id", related_name="estimates")
    customer_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    customer = mirror_relation("crm.Customer", "customer_st_id", related_name="estimates")
    location_st_id = models.BigIntegerField(null=True, blank=True)
    location = mirror_relation("crm.Location", "location_st_id", related_name="estimates")
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit = mirror_relation("dispatch.BusinessUnit", "business_unit_st_id", related_name="estimates")
    business_unit_name = models.TextField(blank=True)
    subtotal = models.DecimalField(**AMOUNT)
    tax = models.DecimalField(**AMOUNT)
    sold_on = models.DateTimeField(null=True, blank=True)
    sold_by_id = models.BigIntegerField(null=True, blank=True)
    is_recommended = models.BooleanField(default=False)
    is_change_order = models.BooleanField(default=False)
    proposal_tag_name = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "status": "status.name",
        "sold_by_id": "soldBy",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["-created_on", "-st_id"]

    def __str__(self):
        return f"Estimate {self.name or self.st_id}"


class EstimateItem(SyncedModel):
    """One line of an estimate, queryable on its own. Filled by the estimates stream's relation step from each
    estimate's `items` (`sales.streams.replace_estimate_items`); the estimate's status and dates are copied onto its
    lines so "how often was this item sold when estimated" needs no join."""

    estimate_st_id = models.BigIntegerField(db_index=True)
    estimate = mirror_relation("sales.Estimate", "estimate_st_id", related_name="items")
    # The estimate's, copied: Open, Sold or Dismissed.
    status = models.TextField(blank=True)
    estimate_created_on = models.DateTimeField(null=True, blank=True)
    sold_on = models.DateTimeField(null=True, blank=True)
    sku_st_id = models.BigIntegerField(null=True, blank=True)
    material = mirror_relation("pricebook.Material", "sku_st_id", related_name="estimate_items")
    service = mirror_relation("pricebook.Service", "sku_st_id", related_name="estimate_items")
    equipment = mirror_relation("pricebook.Equipment", "sku_st_id", related_name="estimate_items")
    sku_name = models.TextField("SKU", blank=True)
    sku_type = models.TextField(blank=True)
    description = models.TextField(blank=True)
    quantity = models.DecimalField(**AMOUNT)
    unit_rate = models.DecimalField(**AMOUNT)
    total = models.DecimalField(**AMOUNT)
    unit_cost = models.DecimalField(**AMOUNT)
    total_cost = models.DecimalField(**AMOUNT)
    item_group_name = models.TextField(blank=True)
    chargeable = models.BooleanField(null=True, blank=True)
    invoice_item_st_id = models.BigIntegerField(null=True, blank=True)
    membership_type_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    # The estimate around the item.
    st_unmapped = ("estimate_st_id", "status", "estimate_created_on", "sold_on")

    st_mapping = {
        "sku_st_id": "sku.id",
        "sku_name": "sku.name",
        "sku_type": "sku.type",
        "quantity": "qty",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["estimate_st_id", "st_id"]
        indexes = [
            models.Index(fields=["tenant_id", "sku_st_id", "estimate_created_on"], name="sales_item_sku_created"),
        ]

    def __str__(self):
        return f"{self.sku_name or 'Item'} on estimate {self.estimate_st_id}"


class DiscountFee(SyncedModel):
    """A pricebook discount or fee (a price modifier on invoices and estimates), as ServiceTitan has it; staff edit it
    through an override (`PricebookOverride`, item type `discount_fee`)."""

    type = models.TextField(blank=True)
    code = models.CharField(max_length=255, blank=True, db_index=True)
    display_name = models.TextField(blank=True)
    description = models.TextField(blank=True)
    amount_type = models.TextField(blank=True)
    amount = models.DecimalField(**AMOUNT)
    limit = models.DecimalField(**AMOUNT)
    taxable = models.BooleanField(default=False)
    hours = models.DecimalField(**AMOUNT)
    account = models.TextField(blank=True)
    category_st_ids = models.JSONField(default=list, blank=True)
    pays_commission = models.BooleanField(default=False)
    exclude_from_payroll = models.BooleanField(default=False)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "category_st_ids": "categories",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["code", "st_id"]
        verbose_name = "discount or fee"
        verbose_name_plural = "discounts and fees"

    def __str__(self):
        return f"{self.code or self.display_name or self.st_id}"


class RateSheet(SyncedModel):
    """A client-specific pricing rate sheet: its exceptions `[{skuId, skuType, value, valueType}]` as ServiceTitan
    sends them (`valueType`: Percent, Dollar, Multiplier, FlatPrice, DiscountPercent). No modifiedOn: an override of
    its exceptions (item type `rate_sheet`) tells a change in ServiceTitan by value."""

    exceptions = models.JSONField(default=list, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["st_id"]

    def __str__(self):
        return f"Rate sheet {self.st_id}"
