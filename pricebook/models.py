"""The pricebook mirror: raw records as fetched, master rows with typed columns (the reference's Data Mapping)."""

from django.db import models

from servicetitan.models import RawRecord, SyncedModel

MONEY = {"max_digits": 14, "decimal_places": 4, "default": 0}


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


# --- Master -----------------------------------------------------------------------------------------------------------
class Category(SyncedModel):
    class CategoryType(models.TextChoices):
        MATERIALS = "Materials"
        SERVICES = "Services"

    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    image_url = models.CharField(max_length=1024, blank=True)
    category_type = models.CharField(max_length=16, choices=CategoryType.choices, blank=True)
    position = models.IntegerField(default=0)
    # The tree, expanded: every category (subcategories included) is a row with its parent, depth and full path.
    parent_st_id = models.BigIntegerField(null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    depth = models.PositiveSmallIntegerField(default=0)
    path = models.CharField(max_length=2048, blank=True, help_text="Full path, e.g. 'Plumbing > Pipes > Copper'.")

    st_mapping = {
        "name": "name",
        "description": "description",
        "image_url": "image",
        "category_type": "categoryType",
        "position": "position",
        "parent_st_id": "parentId",
    }

    class Meta(SyncedModel.Meta):
        verbose_name_plural = "categories"
        ordering = ["path"]


class PricebookItem(SyncedModel):
    """What materials, services and equipment share."""

    code = models.CharField(max_length=255, db_index=True)
    name = models.CharField(max_length=512, blank=True)
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
    default_image_url = models.CharField(max_length=1024, blank=True)

    st_mapping = {
        "code": "code",
        "name": "displayName",
        "description": "description",
        "cost": "cost",
        "price": "price",
        "member_price": "memberPrice",
        "add_on_price": "addOnPrice",
        "add_on_member_price": "addOnMemberPrice",
        "hours": "hours",
        "bonus": "bonus",
        "commission_bonus": "commissionBonus",
        "pays_commission": "paysCommission",
        "taxable": "taxable",
        "category_ids": lambda p: [c["id"] if isinstance(c, dict) else c for c in p.get("categories") or []],
        "images": "assets",
        "default_image_url": "defaultAssetUrl",
    }

    class Meta(SyncedModel.Meta):
        abstract = True
        ordering = ["code"]


class Material(PricebookItem):
    deduct_as_job_cost = models.BooleanField(default=False)
    is_inventory = models.BooleanField(default=False)
    unit_of_measure = models.CharField(max_length=64, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="materials")

    st_mapping = {
        **PricebookItem.st_mapping,
        "deduct_as_job_cost": "deductAsJobCost",
        "is_inventory": "isInventory",
        "unit_of_measure": "unitOfMeasure",
    }


class Service(PricebookItem):
    duration_hours = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    is_labor = models.BooleanField(default=False)
    # As fetched: linked materials/equipment ({skuId, quantity}), recommendations and upgrades (ids).
    materials = models.JSONField(default=list, blank=True)
    equipment = models.JSONField(default=list, blank=True)
    recommendations = models.JSONField(default=list, blank=True)
    upgrades = models.JSONField(default=list, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="services")

    st_mapping = {
        **PricebookItem.st_mapping,
        "duration_hours": "hours",
        "is_labor": "isLabor",
        "materials": "serviceMaterials",
        "equipment": "serviceEquipment",
        "recommendations": "recommendations",
        "upgrades": "upgrades",
    }


class Equipment(PricebookItem):
    manufacturer = models.CharField(max_length=255, blank=True)
    model = models.CharField(max_length=255, blank=True)
    is_inventory = models.BooleanField(default=False)
    unit_of_measure = models.CharField(max_length=64, blank=True)
    recommendations = models.JSONField(default=list, blank=True)
    upgrades = models.JSONField(default=list, blank=True)
    materials = models.JSONField(default=list, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="equipment")

    st_mapping = {
        **PricebookItem.st_mapping,
        "manufacturer": "manufacturer",
        "model": "model",
        "is_inventory": "isInventory",
        "unit_of_measure": "unitOfMeasure",
        "recommendations": "recommendations",
        "upgrades": "upgrades",
        "materials": "equipmentMaterials",
    }

    class Meta(PricebookItem.Meta):
        verbose_name_plural = "equipment"
