"""A central pricebook (Enterprise Hub's Centralized Pricebook): one source tenant's items pushed to target tenants.

- `CentralPricebook`: the source (a tenant whose mirrored items are the central values).
- `CentralSubscription`: a target tenant, the fields locked to the central value, its policy for central changes.
- `CentralMapping`: the mapping review, by code, per subscription and item type (matched, missing in the target,
  code clash); the first fan-out to a tenant waits until staff confirmed it.
- `CentralBatch`: one fan-out's proposal for one target tenant; `CentralChange`: one field of one item in it, with
  its outcome (proposed, applied, dismissed, re-applied), by whom and when: the audit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

# What a subscription can lock, in display order: what the override path carries (and pushes in bulk). The image
# and the categories travel beside the override fields: the image as the central image's bytes, uploaded to each
# target tenant by its push (ServiceTitan's image paths are per tenant: POST /images, then the item's `assets`), the
# categories as the target's own category ids, matched by category path (ids differ per tenant).
LOCKABLE_FIELDS = (
    ("price", "price"),
    ("member_price", "member price"),
    ("description", "description"),
    ("cost", "cost"),
    ("image", "image"),
    ("categories", "categories"),
)
LOCKABLE_NAMES = tuple(name for name, _ in LOCKABLE_FIELDS)
# The same choices as `PricingRule.ItemType` (the API schema names them once: SkuItemTypeEnum).
CENTRAL_ITEM_TYPES = (("material", "Material"), ("service", "Service"), ("equipment", "Equipment"))
# The mapping review also matches categories (by path), so it can say which central category a target lacks.
MAPPING_ITEM_TYPES = (*CENTRAL_ITEM_TYPES, ("category", "Category"))


class CentralPricebook(models.Model):
    name = models.CharField(max_length=100, unique=True)
    source_tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="central_pricebooks")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CentralSubscription(models.Model):
    class Policy(models.TextChoices):
        AUTO = "auto", "apply automatically"
        APPROVAL = "approval", "wait for the tenant's approvers"
        DISMISS = "dismiss", "dismiss (kept, visible, re-appliable)"

    central = models.ForeignKey(CentralPricebook, on_delete=models.CASCADE, related_name="subscriptions")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="central_subscriptions")
    # A subset of LOCKABLE_NAMES: these fields follow the central value; the others stay the tenant's own.
    locked_fields = models.JSONField(default=list, blank=True)
    policy = models.CharField(max_length=16, choices=Policy.choices, default=Policy.APPROVAL)
    active = models.BooleanField(default=True)
    mapping_refreshed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The mapping review seen and accepted by staff: nothing is fanned out to this tenant before.
    mapping_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    mapping_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["central", "tenant__name"]
        constraints = [models.UniqueConstraint(fields=["central", "tenant"], name="pricebook_central_one_subscription")]

    def __str__(self):
        return f"{self.tenant} ← {self.central}"

    def clean(self):
        errors = {}
        unknown = sorted(set(self.locked_fields or []) - set(LOCKABLE_NAMES))
        if unknown:
            errors["locked_fields"] = f"These fields cannot be locked: {', '.join(unknown)}."
        if self.central_id and self.tenant_id and self.central.source_tenant_id == self.tenant_id:
            errors["tenant"] = "The source tenant cannot subscribe to its own central pricebook."
        if errors:
            raise ValidationError(errors)


class CentralMapping(models.Model):
    """One code of one item type in the mapping review of one subscription."""

    class Status(models.TextChoices):
        MATCHED = "matched"
        MISSING = "missing", "missing in the target"
        CLASH = "clash", "code clash"

    subscription = models.ForeignKey(CentralSubscription, on_delete=models.CASCADE, related_name="mappings")
    item_type = models.CharField(max_length=16, choices=MAPPING_ITEM_TYPES)
    # An item's code; a category's path ("Plumbing > Valves").
    code = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices)
    # Set when the code names exactly one item on that side.
    source_st_id = models.BigIntegerField(null=True, blank=True)
    target_st_id = models.BigIntegerField(null=True, blank=True)
    # Items with this code on each side (a clash: more than one on either side).
    source_count = models.PositiveIntegerField(default=0)
    target_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["subscription", "item_type", "code"]
        indexes = [
            models.Index(fields=["subscription", "status"], name="pricebook_central_map_status"),
            models.Index(fields=["subscription", "item_type", "code"], name="pricebook_central_map_code"),
        ]

    def __str__(self):
        return f"{self.item_type} {self.code}: {self.get_status_display()}"


class CentralFanout(models.Model):
    """One run of "fan out now": a batch per target tenant with changes."""

    central = models.ForeignKey(CentralPricebook, on_delete=models.CASCADE, related_name="fanouts")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    totals = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Fan-out #{self.pk} of {self.central}"


class CentralBatch(models.Model):
    """The central changes proposed to one target tenant by one fan-out."""

    class Status(models.TextChoices):
        PROPOSED = "proposed"
        APPROVED = "approved"
        PUSHED = "pushed"
        DISMISSED = "dismissed"

    fanout = models.ForeignKey(CentralFanout, on_delete=models.CASCADE, related_name="batches")
    subscription = models.ForeignKey(CentralSubscription, on_delete=models.CASCADE, related_name="batches")
    # The target's ServiceTitan tenant id (the tenant_id of its mirrored rows and overrides).
    tenant_id = models.BigIntegerField()
    # The subscription's policy when fanned out.
    policy = models.CharField(max_length=16, choices=CentralSubscription.Policy.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "central batches"

    def __str__(self):
        return f"Central batch #{self.pk} for tenant {self.tenant_id} ({self.status})"


class CentralChange(models.Model):
    """One field of one item proposed to one target tenant, and what became of it: the audit trail."""

    class Outcome(models.TextChoices):
        PROPOSED = "proposed"
        APPLIED = "applied"
        DISMISSED = "dismissed"
        REAPPLIED = "reapplied", "re-applied"
        # A later fan-out proposed another central value for the same item and field before this one was decided.
        SUPERSEDED = "superseded"

    batch = models.ForeignKey(CentralBatch, on_delete=models.CASCADE, related_name="changes")
    tenant_id = models.BigIntegerField()
    item_type = models.CharField(max_length=16, choices=CENTRAL_ITEM_TYPES)
    code = models.CharField(max_length=255)
    source_st_id = models.BigIntegerField()
    target_st_id = models.BigIntegerField()
    field = models.CharField(max_length=32, choices=LOCKABLE_FIELDS)
    # As text (money with its decimals, descriptions as they are); empty is no value.
    target_value = models.TextField(blank=True)
    central_value = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PROPOSED)
    # Who applied, dismissed or re-applied it (none: the tenant's policy did, or an operator on the command line).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    override = models.ForeignKey(
        "pricebook.PricebookOverride", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant_id", "field", "outcome"], name="pricebook_central_audit"),
            models.Index(fields=["tenant_id", "item_type", "target_st_id"], name="pricebook_central_item"),
        ]

    def __str__(self):
        return f"{self.item_type} {self.code} {self.field}: {self.target_value or '—'} → {self.central_value or '—'}"
