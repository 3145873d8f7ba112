"""The pricebook mirror: raw records as fetched, master rows with typed columns (the reference's Data Mapping)."""

from dataclasses import dataclass
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.functions import Cast, NullIf, Round
from django.utils import timezone

from servicetitan.mirroring import MONEY
from servicetitan.models import Computed, RawRecord, SyncedModel


# --- Raw: the full JSON of each record ---------------------------------------------------------------------------------
class RawCategory(RawRecord):
    class Meta(RawRecord.Meta):
        verbose_name_plural = "raw categories"


class RawMaterial(RawRecord):
    pass


class RawService(RawRecord):
    pass


class RawEquipment(RawRecord):
    class Meta(RawRecord.Meta):
        verbose_name_plural = "raw equipment"


class RawMarkupTier(RawRecord):
    pass


# --- Master -----------------------------------------------------------------------------------------------------------
class Category(SyncedModel):
    class CategoryType(models.TextChoices):
        MATERIALS = "Materials"
        SERVICES = "Services"

    name = models.TextField()
    description = models.TextField(blank=True)
    image_url = models.TextField(blank=True)
    category_type = models.TextField(choices=CategoryType.choices, blank=True)
    position = models.IntegerField(default=0)
    # The tree, expanded: every category (subcategories included) is a row with its parent, depth and full path.
    parent_st_id = models.BigIntegerField(null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    depth = models.PositiveSmallIntegerField(default=0)
    path = models.TextField(blank=True, help_text="Full path, e.g. 'Plumbing > Pipes > Copper'.")

    # The tree, filled by the sync's relation step from `parent_st_id`.
    st_unmapped = ("depth", "path")

    st_mapping = {
        "image_url": "image",
    }

    class Meta(SyncedModel.Meta):
        verbose_name_plural = "categories"
        ordering = ["path"]


def category_ids_of(payload: dict) -> list:
    """An item's category ids: materials and equipment list ids, services {id, name, active} objects."""
    categories = payload.get("categories")
    return [c.get("id") if isinstance(c, dict) else c for c in categories] if isinstance(categories, list) else []


CATEGORY_IDS = Computed(
    category_ids_of,
    sql="""(SELECT COALESCE(jsonb_agg(CASE WHEN jsonb_typeof(c) = 'object' THEN c -> 'id' ELSE c END ORDER BY n), '[]')
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(payload -> 'categories') = 'array'
    THEN payload -> 'categories' ELSE '[]' END) WITH ORDINALITY AS e(c, n))""",
)


# --- Margin and markup (PRICING.md), stored by the database -------------------------------------------------------------
# ServiceTitan's margin % = (price - cost) / price x 100 and markup % = (price - cost) / cost x 100, as generated columns
# (db_persist) with an index: lists sort and filter by them through the index, and no write path can set them (the
# sync writes mapped columns only; Django leaves generated columns out of INSERT/UPDATE). Computed in floating point
# (SQLite divides integers as integers), rounded to 4 places; a zero divisor gives NULL (undefined, shown "—").
PERCENT_FIELD = {"max_digits": 24, "decimal_places": 4}


def percent_expression(price, cost, base) -> models.Expression:
    """(price - cost) x 100 / base, base 0 → NULL."""
    ratio = (
        Cast(price - cost, models.FloatField())
        * models.Value(100.0, output_field=models.FloatField())
        / Cast(NullIf(base, models.Value(0)), models.FloatField())
    )
    return Round(
        Cast(ratio, models.DecimalField(**PERCENT_FIELD)), 4, output_field=models.DecimalField(**PERCENT_FIELD)
    )


def margin_field(cost: models.Expression) -> models.GeneratedField:
    return models.GeneratedField(
        expression=percent_expression(models.F("price"), cost, models.F("price")),
        output_field=models.DecimalField(**PERCENT_FIELD, null=True),
        db_persist=True,
        verbose_name="margin %",
    )


def markup_field(cost: models.Expression) -> models.GeneratedField:
    return models.GeneratedField(
        expression=percent_expression(models.F("price"), cost, cost),
        output_field=models.DecimalField(**PERCENT_FIELD, null=True),
        db_persist=True,
        verbose_name="markup %",
    )


class PricebookItem(SyncedModel):
    """What materials, services and equipment share."""

    code = models.CharField(max_length=255, db_index=True)
    name = models.TextField(blank=True)
    description = models.TextField(blank=True)
    cost = models.DecimalField(**MONEY)
    price = models.DecimalField(**MONEY)
    member_price = models.DecimalField(**MONEY)
    add_on_price = models.DecimalField(**MONEY)
    add_on_member_price = models.DecimalField(**MONEY)
    hours = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    bonus = models.DecimalField(**MONEY)
    commission_bonus = models.DecimalField(**MONEY)
    pays_commission = models.BooleanField(default=False)
    taxable = models.BooleanField(default=False)
    # ServiceTitan's `categories` (ids), kept as fetched; `categories` below is the queryable relation.
    category_ids = models.JSONField(default=list, blank=True)
    # ServiceTitan's `assets` (images, videos) as fetched.
    images = models.JSONField(default=list, blank=True)
    default_image_url = models.TextField(blank=True)
    # ServiceTitan's margin and markup of the item (its own cost; a service's includes its linked items, see Service).
    margin_percent = margin_field(models.F("cost"))
    markup_percent = markup_field(models.F("cost"))

    st_mapping = {
        "name": "displayName",
        "category_ids": CATEGORY_IDS,
        "images": "assets",
        "default_image_url": "defaultAssetUrl",
    }

    class Meta(SyncedModel.Meta):
        abstract = True
        ordering = ["code"]
        indexes = [
            # The admin lists in this order, the primary key last as its tie-break: one index serves it.
            models.Index(fields=["code", "-id"], name="%(app_label)s_%(class)s_order"),
            # With the id: a page's ids are read from the index alone (index-only scan, OFFSET included).
            models.Index(fields=["margin_percent", "id"], name="%(app_label)s_%(class)s_margin"),
            models.Index(fields=["markup_percent"], name="%(app_label)s_%(class)s_markup"),
        ]


class Material(PricebookItem):
    deduct_as_job_cost = models.BooleanField(default=False)
    is_inventory = models.BooleanField(default=False)
    unit_of_measure = models.TextField(blank=True)
    # The primary vendor and its part number (ServiceTitan's `primaryVendor`), and the other vendors as fetched: each
    # vendor keeps its own part number and cost. Vendor price files are matched on these.
    vendor_name = models.TextField("primary vendor", blank=True)
    # Indexed, hence bounded (like `code`): a longer part number is recorded as a problem, not cut.
    vendor_part = models.CharField("vendor part number", max_length=255, blank=True, db_index=True)
    other_vendors = models.JSONField(default=list, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="materials")

    st_mapping = {
        **PricebookItem.st_mapping,
        "vendor_name": "primaryVendor.vendorName",
        "vendor_part": "primaryVendor.vendorPart",
    }


SERVICE_TOTAL_COST = models.F("cost") + models.F("materials_cost") + models.F("equipment_cost")


class Service(PricebookItem):
    duration_hours = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    # A service's cost is its labour cost (ServiceTitan's `cost`) plus its linked materials and equipment
    # (quantity x their cost), kept here by the sync's relation step (pricebook.services.costs), set-based.
    materials_cost = models.DecimalField("linked materials cost", max_digits=18, decimal_places=4, default=0)
    equipment_cost = models.DecimalField("linked equipment cost", max_digits=18, decimal_places=4, default=0)
    total_cost = models.GeneratedField(
        expression=SERVICE_TOTAL_COST,
        output_field=models.DecimalField(max_digits=20, decimal_places=4),
        db_persist=True,
        verbose_name="total cost",
    )
    margin_percent = margin_field(SERVICE_TOTAL_COST)
    markup_percent = markup_field(SERVICE_TOTAL_COST)
    is_labor = models.BooleanField(default=False)
    # As fetched: linked materials/equipment ({skuId, quantity}), recommendations and upgrades (ids).
    materials = models.JSONField(default=list, blank=True)
    equipment = models.JSONField(default=list, blank=True)
    recommendations = models.JSONField(default=list, blank=True)
    upgrades = models.JSONField(default=list, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="services")
    # The same links, queryable (rebuilt from the JSON above by the sync; see the link models below).
    linked_materials = models.ManyToManyField(
        "Material", through="ServiceMaterial", through_fields=("service", "material"), related_name="linked_services"
    )
    linked_equipment = models.ManyToManyField(
        "Equipment", through="ServiceEquipment", through_fields=("service", "equipment"), related_name="linked_services"
    )
    recommended_services = models.ManyToManyField(
        "self",
        through="ServiceRecommendation",
        through_fields=("service", "recommended_service"),
        symmetrical=False,
        related_name="recommended_by",
    )
    upgrade_services = models.ManyToManyField(
        "self",
        through="ServiceUpgrade",
        through_fields=("service", "upgrade"),
        symmetrical=False,
        related_name="upgrade_of",
    )

    # Filled by the relation step from the linked items (pricebook.services.costs).
    st_unmapped = ("materials_cost", "equipment_cost")

    st_mapping = {
        **PricebookItem.st_mapping,
        "duration_hours": "hours",
        "materials": "serviceMaterials",
        "equipment": "serviceEquipment",
    }


class Equipment(PricebookItem):
    manufacturer = models.TextField(blank=True)
    model = models.TextField(blank=True)
    is_inventory = models.BooleanField(default=False)
    unit_of_measure = models.TextField(blank=True)
    recommendations = models.JSONField(default=list, blank=True)
    upgrades = models.JSONField(default=list, blank=True)
    materials = models.JSONField(default=list, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="equipment")
    linked_materials = models.ManyToManyField(
        "Material",
        through="EquipmentMaterial",
        through_fields=("equipment", "material"),
        related_name="linked_equipment",
    )

    st_mapping = {
        **PricebookItem.st_mapping,
        "materials": "equipmentMaterials",
    }

    class Meta(PricebookItem.Meta):
        verbose_name_plural = "equipment"


# --- ServiceTitan's material markup table (`materialsmarkup`): cost ranges, each with a markup percent -----------------
class MarkupTier(SyncedModel):
    """One tier of the markup table: a cost `from_cost ≤ cost < to_cost` is marked up by `percent` (see PRICING.md)."""

    from_cost = models.DecimalField("from", max_digits=14, decimal_places=4, default=0)
    to_cost = models.DecimalField("to", max_digits=14, decimal_places=4, default=0)
    percent = models.DecimalField("markup %", max_digits=9, decimal_places=4, default=0)

    st_mapping = {"from_cost": "from", "to_cost": "to"}

    class Meta(SyncedModel.Meta):
        ordering = ["from_cost"]

    def __str__(self):
        return f"{self.from_cost.normalize():f} to {self.to_cost.normalize():f}: {self.percent.normalize():f}%"


class MarkupTierEdit(models.Model):
    """Staff's edit of one markup tier (or a new tier: no `tier_st_id` yet), kept until ServiceTitan accepts it.

    Pushed with PUT (a changed tier) or POST (a new one); ServiceTitan's answer is stored in the mirror and the edit
    removed. A refusal keeps the edit (`failed`) with ServiceTitan's message; nothing staff typed is lost.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        FAILED = "failed"

    tenant_id = models.BigIntegerField()
    tier_st_id = models.BigIntegerField("tier (ServiceTitan id)", null=True, blank=True)
    from_cost = models.DecimalField("from", max_digits=14, decimal_places=4)
    to_cost = models.DecimalField("to", max_digits=14, decimal_places=4)
    percent = models.DecimalField("markup %", max_digits=9, decimal_places=4)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    error_message = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "tier_st_id"], name="pricebook_markup_tier_one_edit"),
        ]
        ordering = ["from_cost", "id"]

    def __str__(self):
        target = f"tier {self.tier_st_id}" if self.tier_st_id else "new tier"
        return (
            f"{target}: {self.from_cost.normalize():f} to {self.to_cost.normalize():f} at {self.percent.normalize():f}%"
        )


# --- Links between pricebook items, queryable ----------------------------------------------------------------------------
# One row per link as ServiceTitan lists it. The target is kept by ServiceTitan id and resolved to the mirrored row when
# it exists (`None` until it is mirrored; the sync resolves dangling links after each run), so no link is ever lost.
class PricebookLink(models.Model):
    tenant_id = models.BigIntegerField()
    target_st_id = models.BigIntegerField("linked ServiceTitan id")

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name} → {self.target_st_id}"


class ServiceMaterial(PricebookLink):
    """A material a service uses (ServiceTitan's `serviceMaterials`)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="material_links")
    material = models.ForeignKey(
        Material, null=True, blank=True, on_delete=models.SET_NULL, related_name="service_links"
    )
    quantity = models.DecimalField(max_digits=14, decimal_places=4, default=0)


class ServiceEquipment(PricebookLink):
    """Equipment a service uses (ServiceTitan's `serviceEquipment`)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="equipment_links")
    equipment = models.ForeignKey(
        Equipment, null=True, blank=True, on_delete=models.SET_NULL, related_name="service_links"
    )
    quantity = models.DecimalField(max_digits=14, decimal_places=4, default=0)

    class Meta(PricebookLink.Meta):
        verbose_name = "service equipment"
        verbose_name_plural = "service equipment"


class ServiceRecommendation(PricebookLink):
    """A SKU a service recommends (ServiceTitan's `recommendations`: a service or a material id)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="recommendation_links")
    recommended_service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="recommended_by_links"
    )
    recommended_material = models.ForeignKey(
        Material, null=True, blank=True, on_delete=models.SET_NULL, related_name="recommended_by_links"
    )


class ServiceUpgrade(PricebookLink):
    """A service this service can be upgraded to (ServiceTitan's `upgrades`)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="upgrade_links")
    upgrade = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="upgrade_of_links"
    )


class EquipmentMaterial(PricebookLink):
    """A material an equipment item includes (ServiceTitan's `equipmentMaterials`)."""

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="material_links")
    material = models.ForeignKey(
        Material, null=True, blank=True, on_delete=models.SET_NULL, related_name="equipment_links"
    )
    quantity = models.DecimalField(max_digits=14, decimal_places=4, default=0)


# --- Overrides: office staff's edits, pushed to ServiceTitan ------------------------------------------------------------
# (owned by the overrides part; the mirror above stays ServiceTitan's truth, the override is what staff want it to be)
@dataclass(frozen=True)
class ItemKind:
    """One kind of pricebook item: its models, its ServiceTitan resource (and sync stream), its bulk-update key."""

    item_type: str  # "material"
    master_model: str  # "pricebook.Material"
    raw_model: str  # "pricebook.RawMaterial"
    resource_key: str  # "pricebook.materials": the registry resource and the sync stream
    bulk_collection: str | None  # the key in PATCH /pricebook's body, None when there is no bulk path
    # Priced from cost (PRICING.md): False for the lists that only price a sale (discounts and fees, rate sheets),
    # which reprice, health checks, margins, vendor costs, imports and the bulk PATCH /pricebook leave out.
    priced: bool = True
    # The name of the record's id in the update path (`{rateSheetId}` for client-specific pricing).
    id_param: str = "id"

    @property
    def master(self):
        return apps.get_model(self.master_model)

    @property
    def raw(self):
        return apps.get_model(self.raw_model)


# The pricebook's item kinds, declared once: the override's item types, the selectors, the push and the streams
# read them from here.
ITEM_KINDS: dict[str, ItemKind] = {
    kind.item_type: kind
    for kind in (
        ItemKind("material", "pricebook.Material", "pricebook.RawMaterial", "pricebook.materials", "materials"),
        ItemKind("service", "pricebook.Service", "pricebook.RawService", "pricebook.services", "services"),
        ItemKind("equipment", "pricebook.Equipment", "pricebook.RawEquipment", "pricebook.equipment", "equipment"),
        ItemKind("category", "pricebook.Category", "pricebook.RawCategory", "pricebook.categories", None),
        # Mirrored by the sales app; edited through overrides like the items, pushed one by one, never priced.
        ItemKind(
            "discount_fee", "sales.DiscountFee", "sales.RawDiscountFee", "sales.discounts-and-fees", None, priced=False
        ),
        ItemKind(
            "rate_sheet",
            "sales.RateSheet",
            "sales.RawRateSheet",
            "sales.rate-sheets",
            None,
            priced=False,
            id_param="rateSheetId",
        ),
    )
}
# The SKUs (priced items): every priced kind but categories.
ITEM_TYPES = tuple(t for t, kind in ITEM_KINDS.items() if kind.priced and t != "category")
# The pricebook's own kinds (items and categories): what its streams, lists and imports know.
PRICEBOOK_KINDS = tuple(t for t, kind in ITEM_KINDS.items() if kind.priced)


class OverrideField(NamedTuple):
    name: str  # the master column: "price"
    override: str  # the override column: "override_price"
    st_key: str  # ServiceTitan's JSON key: "price"
    item_types: tuple[str, ...]


# Every field staff can override, in display order. Categories call their name `name`, the SKUs `displayName`.
OVERRIDE_FIELDS: tuple[OverrideField, ...] = (
    OverrideField("name", "override_name", "displayName", ITEM_TYPES),
    OverrideField("name", "override_name", "name", ("category",)),
    OverrideField("cost", "override_cost", "cost", ("material", "equipment")),
    OverrideField("price", "override_price", "price", ITEM_TYPES),
    OverrideField("member_price", "override_member_price", "memberPrice", ITEM_TYPES),
    OverrideField("add_on_price", "override_add_on_price", "addOnPrice", ITEM_TYPES),
    OverrideField("description", "override_description", "description", (*ITEM_TYPES, "category")),
    OverrideField("active", "override_active", "active", (*ITEM_TYPES, "category")),
    # Discounts and fees (DiscountAndFeesUpdateRequest) and a rate sheet's exceptions (UpdateClientSpecificPricing-
    # Request: the whole list, each {skuId, value, valueType}).
    OverrideField("display_name", "override_name", "displayName", ("discount_fee",)),
    OverrideField("amount_type", "override_amount_type", "amountType", ("discount_fee",)),
    OverrideField("amount", "override_amount", "amount", ("discount_fee",)),
    OverrideField("limit", "override_limit", "limit", ("discount_fee",)),
    OverrideField("taxable", "override_taxable", "taxable", ("discount_fee",)),
    OverrideField("description", "override_description", "description", ("discount_fee",)),
    OverrideField("active", "override_active", "active", ("discount_fee",)),
    OverrideField("exceptions", "override_exceptions", "exceptions", ("rate_sheet",)),
)
# The override columns, in display order (forms, serializers and admin list them from here).
OVERRIDE_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(f.override for f in OVERRIDE_FIELDS))
OVERRIDE_MONEY = {"max_digits": 14, "decimal_places": 4, "null": True, "blank": True}


def override_fields_for(item_type: str) -> tuple[OverrideField, ...]:
    return tuple(f for f in OVERRIDE_FIELDS if item_type in f.item_types)


def not_overridable_message(item_type: str, column: str) -> str:
    """Why this override column does not apply to this item type, for staff."""
    if item_type == "category":
        return "Categories have no prices."
    if not ITEM_KINDS[item_type].priced:
        return f"A {item_type.replace('_', ' ')} has no such field to override."
    if column == "override_cost":
        return "A service's cost is its labour plus its linked materials and equipment; it cannot be overridden."
    return f"A {item_type} has no such field to override."


class PricebookOverride(models.Model):
    """What office staff want one pricebook item (or category) to be; pushed to ServiceTitan, then kept as history.

    A field left empty (None) is not overridden. While the override is not synced its values are the effective ones.
    """

    ItemType = models.TextChoices("ItemType", [(item_type.upper(), item_type) for item_type in ITEM_KINDS])

    class Status(models.TextChoices):
        PENDING = "pending"
        PUSHING = "pushing"
        SYNCED = "synced"
        FAILED = "failed"
        CONFLICT = "conflict"

    tenant_id = models.BigIntegerField()
    item_type = models.CharField(max_length=16, choices=ItemType.choices)
    st_pricebook_id = models.BigIntegerField("ServiceTitan id")

    override_name = models.CharField("name", max_length=512, null=True, blank=True)
    override_cost = models.DecimalField("cost", **OVERRIDE_MONEY)
    override_price = models.DecimalField("price", **OVERRIDE_MONEY)
    override_member_price = models.DecimalField("member price", **OVERRIDE_MONEY)
    override_add_on_price = models.DecimalField("add-on price", **OVERRIDE_MONEY)
    override_description = models.TextField("description", null=True, blank=True)
    override_active = models.BooleanField("active", null=True, blank=True)
    # Discounts and fees: `Percentage` or `Fixed`, the amount (a percent or dollars), its cap, taxable or not.
    override_amount_type = models.CharField("amount type", max_length=32, null=True, blank=True)
    override_amount = models.DecimalField("amount", **OVERRIDE_MONEY)
    override_limit = models.DecimalField("limit", **OVERRIDE_MONEY)
    override_taxable = models.BooleanField("taxable", null=True, blank=True)
    # A rate sheet's exceptions as they are to be: [{skuId, value, valueType}] (the PATCH replaces the list).
    override_exceptions = models.JSONField("exceptions", null=True, blank=True)
    # ServiceTitan's values of the edited fields when edited, for records without a modifiedOn (rate sheets): a
    # different value there now means ServiceTitan changed it meanwhile.
    base_values = models.JSONField(default=dict, blank=True, editable=False)
    override_image_data = models.BinaryField("image", null=True, blank=True, editable=False)
    override_image_mime_type = models.CharField("image type", max_length=32, blank=True)
    override_image_name = models.CharField("image file name", max_length=255, blank=True)
    # ServiceTitan's "Images/…" path once uploaded, so a retried push attaches it without uploading it twice.
    uploaded_image_path = models.CharField(max_length=1024, blank=True)
    # The item's categories as they are to be (ServiceTitan ids of this tenant's categories; the update replaces the
    # list), pushed beside the override fields like the image; None: not overridden. Set by the central pricebook.
    override_category_ids = models.JSONField("categories", null=True, blank=True, editable=False)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    # The reference's flag, derived from the status by the database so it can never disagree with it.
    pending_sync = models.GeneratedField(
        expression=models.Case(
            models.When(status="synced", then=models.Value(False)),
            default=models.Value(True),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    # The ServiceTitan modifiedOn the editor was looking at: a newer one means ServiceTitan changed meanwhile.
    base_modified_on = models.DateTimeField("ServiceTitan modifiedOn when edited", null=True, blank=True)
    # ServiceTitan's message as it answered, and per override field (e.g. {"price": ["…"]}) for the admin form.
    error_message = models.TextField(blank=True)
    field_errors = models.JSONField(default=dict, blank=True)
    # Bumped by every edit: a push that finishes on an older revision leaves the newer edit pending.
    revision = models.PositiveIntegerField(default=1)
    # Set while one push owns the override (status `pushing`), with the revision it is sending.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_revision = models.PositiveIntegerField(default=0, editable=False)
    push_started_at = models.DateTimeField(null=True, blank=True)

    class Origin(models.TextChoices):
        EDIT = "edit", "edited in LAZI"
        IMPORT = "import", "imported from a file"

    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    # Where the latest edit came from: the price history says "import" for values that came from a file once pushed.
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.EDIT)
    # The vendor whose price file set `override_cost`: pushed, that vendor's own cost on the item changes too.
    cost_vendor = models.CharField("vendor of the cost", max_length=255, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "item_type", "st_pricebook_id"], name="pricebook_override_one_per_item"
            ),
        ]
        indexes = [models.Index(fields=["item_type", "status"], name="pricebook_override_type_status")]
        ordering = ["-changed_at"]

    def __str__(self):
        return f"{self.get_item_type_display()} {self.st_pricebook_id} override ({self.status})"

    @property
    def fields(self) -> tuple[OverrideField, ...]:
        return override_fields_for(self.item_type)

    def overridden_values(self) -> dict:
        """The overridden fields only: master column name -> value."""
        return {f.name: getattr(self, f.override) for f in self.fields if getattr(self, f.override) is not None}

    @property
    def has_image(self) -> bool:
        return bool(self.override_image_data) or bool(self.uploaded_image_path)

    @property
    def has_categories(self) -> bool:
        return self.override_category_ids is not None


class PricebookOverrideChange(models.Model):
    """One entry of an override's history: who did what, when, and the values before → after."""

    class Action(models.TextChoices):
        EDITED = "edited"
        PUSHED = "pushed"
        FAILED = "failed"
        CONFLICT = "conflict"
        KEPT_MINE = "kept_mine", "kept mine"
        DISCARDED = "discarded"
        REQUEUED = "requeued"

    # Kept when the override is discarded, hence the item is named here too.
    override = models.ForeignKey(
        PricebookOverride, null=True, blank=True, on_delete=models.SET_NULL, related_name="history"
    )
    tenant_id = models.BigIntegerField()
    item_type = models.CharField(max_length=16, choices=PricebookOverride.ItemType.choices)
    st_pricebook_id = models.BigIntegerField("ServiceTitan id")
    action = models.CharField(max_length=16, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item_type", "st_pricebook_id"], name="pricebook_override_change_item")]
        verbose_name = "override history entry"
        verbose_name_plural = "override history"

    def __str__(self):
        return f"{self.get_action_display()} {self.item_type} {self.st_pricebook_id} at {self.at:%Y-%m-%d %H:%M}"


# --- Pricing from cost (PRICING.md): LAZI's pricing rules and the reprice batches they propose ----------------------------
class PricingRule(models.Model):
    """How LAZI prices one item type in one category subtree (no category: the default). The most specific wins."""

    class ItemType(models.TextChoices):
        MATERIAL = "material"
        SERVICE = "service"
        EQUIPMENT = "equipment"

    class Markup(models.TextChoices):
        TIERS = "tiers", "ServiceTitan's markup table"
        PERCENT = "percent", "a fixed percent"

    class MaterialsMarkup(models.TextChoices):
        INDIVIDUAL = "individual", "each material by its own tier"
        AGGREGATE = "aggregate", "the materials' total by its tier"

    class Rounding(models.TextChoices):
        CENTS = "cents", "to the cent"
        WHOLE = "whole", "to whole dollars"
        UP_99 = "up_99", "up to .99"
        UP_95 = "up_95", "up to .95"
        FIVE = "five", "up to a multiple of 5"

    tenant_id = models.BigIntegerField()
    name = models.CharField(max_length=255)
    item_type = models.CharField(max_length=16, choices=ItemType.choices)
    # A category's ServiceTitan id: the rule covers it and its subcategories. None: every category.
    category_st_id = models.BigIntegerField("category (ServiceTitan id)", null=True, blank=True)
    markup = models.CharField(max_length=16, choices=Markup.choices, default=Markup.TIERS)
    markup_percent = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    labor_rate = models.DecimalField("billable hourly rate", max_digits=14, decimal_places=4, null=True, blank=True)
    progressive_after_hours = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    progressive_rate = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    materials_markup = models.CharField(
        max_length=16, choices=MaterialsMarkup.choices, default=MaterialsMarkup.INDIVIDUAL
    )
    member_discount_percent = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    add_on_percent = models.DecimalField("add-on share %", max_digits=9, decimal_places=4, null=True, blank=True)
    # Services only: the add-on price from the hours at this rate instead of a share of the price.
    add_on_rate = models.DecimalField("add-on hourly rate", max_digits=14, decimal_places=4, null=True, blank=True)
    rounding = models.CharField(max_length=16, choices=Rounding.choices, default=Rounding.CENTS)
    min_margin_percent = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    max_change_percent = models.DecimalField(
        "tolerance %",
        max_digits=9,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The largest change (in %) allowed without a flag.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item_type", "category_st_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "item_type", "category_st_id"],
                condition=models.Q(category_st_id__isnull=False),
                name="pricing_rule_one_per_category",
                violation_error_message="There is a rule for this item type and category already; change that one.",
            ),
            models.UniqueConstraint(
                fields=["tenant_id", "item_type"],
                condition=models.Q(category_st_id__isnull=True),
                name="pricing_rule_one_default",
                violation_error_message="There is a default rule (no category) for this item type already.",
            ),
        ]

    def __str__(self):
        return self.name

    SERVICE_ONLY = ("labor_rate", "progressive_after_hours", "progressive_rate", "add_on_rate")
    PERCENT_RANGES = {
        "member_discount_percent": (0, 100),
        "add_on_percent": (0, 100),
        "min_margin_percent": (0, 99),
        "max_change_percent": (0, 10000),
        "markup_percent": (0, 100000),
    }

    def clean(self):
        """What a rule must say for its item type, in plain words (the admin form and the API both check it)."""
        from django.core.exceptions import ValidationError

        errors = {}
        if self.markup == self.Markup.PERCENT and self.markup_percent is None:
            errors["markup_percent"] = "Give the markup percent, or choose ServiceTitan's markup table."
        for name, (low, high) in self.PERCENT_RANGES.items():
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                errors[name] = f"Give a percent between {low} and {high}."
        if self.item_type == self.ItemType.SERVICE:
            if self.labor_rate is None:
                errors["labor_rate"] = "A service rule needs the billable hourly rate."
            if (self.progressive_after_hours is None) != (self.progressive_rate is None):
                errors["progressive_rate"] = "A progressive rate needs both the hours and the rate after them."
            for name in ("labor_rate", "progressive_after_hours", "progressive_rate", "add_on_rate"):
                value = getattr(self, name)
                if value is not None and value < 0:
                    errors[name] = "Rates and hours cannot be negative."
        elif self.item_type:
            for name in self.SERVICE_ONLY:
                if getattr(self, name) is not None:
                    errors[name] = "Only service rules have hourly rates; leave this empty."
        if (
            self.category_st_id is not None
            and self.tenant_id is not None
            and not Category.objects.filter(tenant_id=self.tenant_id, st_id=self.category_st_id).exists()
        ):
            errors["category_st_id"] = f"There is no category with ServiceTitan id {self.category_st_id}."
        if errors:
            raise ValidationError(errors)


class RepriceBatch(models.Model):
    """A proposal of new prices computed by the pricing rules; pushed only once approved."""

    class Status(models.TextChoices):
        PROPOSED = "proposed"
        APPROVED = "approved"
        PUSHED = "pushed"
        DISCARDED = "discarded"

    tenant_id = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    # What was asked for: targets as in st_sync (`pricebook.materials`, …), a category subtree, chosen items.
    targets = models.JSONField(default=list, blank=True)
    category_st_id = models.BigIntegerField(null=True, blank=True)
    st_ids = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    # The preview's totals (items, changed, up, down, flagged, average change %, margin before → after).
    totals = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "reprice batches"
        permissions = [("approve_repricebatch", "Can approve reprice batches")]

    def __str__(self):
        return f"Reprice #{self.pk} ({self.status})"


class RepriceRow(models.Model):
    """One item of a reprice batch: its prices now and as the rule computes them, why, and what looks wrong."""

    class Status(models.TextChoices):
        PROPOSED = "proposed"
        APPROVED = "approved"
        NOT_APPROVED = "not_approved", "not approved"
        PUSHED = "pushed"
        FAILED = "failed"

    batch = models.ForeignKey(RepriceBatch, on_delete=models.CASCADE, related_name="rows")
    tenant_id = models.BigIntegerField()
    item_type = models.CharField(max_length=16, choices=PricingRule.ItemType.choices)
    st_pricebook_id = models.BigIntegerField("ServiceTitan id")
    code = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=512, blank=True)
    rule = models.ForeignKey(PricingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule_name = models.CharField(max_length=255, blank=True)
    cost = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    current_price = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    new_price = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    current_member_price = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    new_member_price = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    current_add_on_price = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    new_add_on_price = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    change_percent = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    margin_before = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    margin_after = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    explanation = models.TextField(blank=True)
    # [{"code": "tolerance", "reason": "change +62.5% is past the 25% tolerance"}, …]
    flags = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    override = models.ForeignKey(
        PricebookOverride, null=True, blank=True, on_delete=models.SET_NULL, related_name="reprice_rows"
    )

    class Meta:
        ordering = ["batch", "id"]
        indexes = [models.Index(fields=["batch", "status"], name="pricebook_reprice_row_status")]

    def __str__(self):
        return f"{self.item_type} {self.st_pricebook_id}: {self.current_price} → {self.new_price}"

    @property
    def change_amount(self):
        return self.new_price - self.current_price


# --- History of ServiceTitan's values ---------------------------------------------------------------------------------------
class PriceHistory(models.Model):
    """One changed money field of one item, as ServiceTitan holds it: before → after, when, and what changed it.

    Recorded set-based by the sync (a change made in ServiceTitan), by the push (LAZI's edit, by whom, from which batch)
    and for values that came from a file (`import`)."""

    class Field(models.TextChoices):
        COST = "cost"
        PRICE = "price"
        MEMBER_PRICE = "member_price", "member price"
        ADD_ON_PRICE = "add_on_price", "add-on price"

    class Source(models.TextChoices):
        SYNC = "sync", "changed in ServiceTitan"
        PUSH = "push", "pushed from LAZI"
        IMPORT = "import", "imported from a file"

    tenant_id = models.BigIntegerField()
    item_type = models.CharField(max_length=16, choices=PricebookOverride.ItemType.choices)
    st_pricebook_id = models.BigIntegerField("ServiceTitan id")
    field = models.CharField(max_length=16, choices=Field.choices)
    old_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        RepriceBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="price_history"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(
                fields=["tenant_id", "item_type", "st_pricebook_id", "changed_at"], name="pricebook_history_item"
            )
        ]
        verbose_name = "price history entry"
        verbose_name_plural = "price history"

    def __str__(self):
        return f"{self.item_type} {self.st_pricebook_id} {self.field}: {self.old_value} → {self.new_value}"


# --- Vendor price files ------------------------------------------------------------------------------------------------
class VendorPriceMapping(models.Model):
    """How one vendor's price files read: which column holds the part number, the cost, and optionally the item code,
    description and unit. Mapped once by staff, remembered for the next file."""

    ROLES = ("vendor_part", "cost", "code", "description", "unit")

    vendor_name = models.CharField(
        max_length=255, unique=True, help_text="As ServiceTitan names the vendor on materials."
    )
    # role -> the file's column header, e.g. {"vendor_part": "Part #", "cost": "Net price"}
    columns = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["vendor_name"]

    def __str__(self):
        return self.vendor_name


# The central pricebook (source tenant → target tenants), a module of its own.
from pricebook.models_central import (  # noqa: E402, F401
    CentralBatch,
    CentralChange,
    CentralFanout,
    CentralMapping,
    CentralPricebook,
    CentralSubscription,
)
