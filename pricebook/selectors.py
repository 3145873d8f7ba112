"""Reads of the pricebook: which model serves an item type, effective values (the override while it is pending,
ServiceTitan's once synced), and querysets annotated with them for lists, the admin and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from pricebook.models import OVERRIDE_MONEY, PricebookOverride, override_fields_for


@dataclass(frozen=True)
class ItemKind:
    item_type: str  # "material"
    master_model: str  # "pricebook.Material"
    raw_model: str  # "pricebook.RawMaterial"
    resource_key: str  # "pricebook.materials": the registry resource and the sync stream
    bulk_collection: str | None  # the key in PATCH /pricebook's body, None when there is no bulk path

    @property
    def master(self):
        return apps.get_model(self.master_model)

    @property
    def raw(self):
        return apps.get_model(self.raw_model)


ITEM_KINDS: dict[str, ItemKind] = {
    kind.item_type: kind
    for kind in (
        ItemKind("material", "pricebook.Material", "pricebook.RawMaterial", "pricebook.materials", "materials"),
        ItemKind("service", "pricebook.Service", "pricebook.RawService", "pricebook.services", "services"),
        ItemKind("equipment", "pricebook.Equipment", "pricebook.RawEquipment", "pricebook.equipment", "equipment"),
        ItemKind("category", "pricebook.Category", "pricebook.RawCategory", "pricebook.categories", None),
    )
}


def item_kind(item_type: str) -> ItemKind:
    try:
        return ITEM_KINDS[item_type]
    except KeyError:
        raise ValueError(f"unknown pricebook item type {item_type!r}; choose from {', '.join(ITEM_KINDS)}") from None


def item_type_of(model) -> str:
    """The item type of a master model class or instance."""
    label = model._meta.label
    for kind in ITEM_KINDS.values():
        if kind.master_model == label:
            return kind.item_type
    raise ValueError(f"{label} is not a pricebook item model")


def get_item(item_type: str, st_id: int, tenant_id: int | None = None):
    """The master row of one item, or None when it is not mirrored."""
    qs = item_kind(item_type).master.objects.filter(st_id=st_id)
    if tenant_id is not None:
        qs = qs.filter(tenant_id=tenant_id)
    return qs.first()


def get_override(item_type: str, st_id: int, tenant_id: int) -> PricebookOverride | None:
    return PricebookOverride.objects.filter(tenant_id=tenant_id, item_type=item_type, st_pricebook_id=st_id).first()


def overrides_for(item_type: str):
    """Overrides of one item type, correlated to the outer master row (for Subquery/Exists)."""
    return PricebookOverride.objects.filter(
        item_type=item_type, tenant_id=OuterRef("tenant_id"), st_pricebook_id=OuterRef("st_id")
    )


def effective_values(item, override: PricebookOverride | None = None, *, item_type: str | None = None) -> dict:
    """Field name -> the value shown to staff: the override's while it is not synced, else ServiceTitan's."""
    item_type = item_type or item_type_of(item)
    if override is None:
        override = get_override(item_type, item.st_id, item.tenant_id)
    values = {}
    for field in override_fields_for(item_type):
        value = getattr(item, field.name)
        if override is not None and override.status != PricebookOverride.Status.SYNCED:
            overridden = getattr(override, field.override)
            if overridden is not None:
                value = overridden
        values[field.name] = value
    return values


_OUTPUT = {
    "name": CharField(),
    "description": TextField(),
    "active": BooleanField(),
}


def _output_field(name: str):
    return _OUTPUT.get(name) or DecimalField(max_digits=OVERRIDE_MONEY["max_digits"], decimal_places=4)


def with_effective_values(qs: QuerySet, item_type: str | None = None) -> QuerySet:
    """Annotate master rows with `override_id`, `override_status` and `effective_<field>` for each overridable field."""
    item_type = item_type or item_type_of(qs.model)
    overrides = overrides_for(item_type)
    unsynced = overrides.exclude(status=PricebookOverride.Status.SYNCED)
    annotations = {
        "override_id": Subquery(overrides.values("id")[:1]),
        "override_status": Subquery(overrides.values("status")[:1]),
    }
    for field in override_fields_for(item_type):
        annotations[f"effective_{field.name}"] = Coalesce(
            Subquery(unsynced.values(field.override)[:1], output_field=_output_field(field.name)),
            F(field.name),
            output_field=_output_field(field.name),
        )
    return qs.annotate(**annotations)


def filter_by_override_status(qs: QuerySet, status: str, item_type: str | None = None) -> QuerySet:
    """`none` = items without an override; else items whose override has that status."""
    item_type = item_type or item_type_of(qs.model)
    overrides = overrides_for(item_type)
    if status == "none":
        return qs.filter(~Exists(overrides))
    return qs.filter(Exists(overrides.filter(status=status)))


def filter_by_category_tree(qs: QuerySet, category) -> QuerySet:
    """Items in the category or any of its subcategories."""
    Category = apps.get_model("pricebook", "Category")
    subtree = Category.objects.filter(tenant_id=category.tenant_id).filter(
        Q(pk=category.pk) | Q(path__startswith=f"{category.path} > ")
    )
    return qs.filter(categories__in=subtree).distinct()


def has_image_expression():
    """True when ServiceTitan has a default image for the item (or any asset)."""
    return Case(
        When(~Q(default_image_url="") | ~Q(images=[]), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def drifted_overrides(item_type: str) -> QuerySet:
    """Synced overrides of the outer master row (for Exists) with a value ServiceTitan no longer has: the item was
    changed in ServiceTitan after LAZI pushed it."""
    differs = Q()
    for field in override_fields_for(item_type):
        differs |= Q(**{f"{field.override}__isnull": False}) & ~Q(**{field.override: OuterRef(field.name)})
    return overrides_for(item_type).filter(status=PricebookOverride.Status.SYNCED).filter(differs)


def drifted_fields(item, override: PricebookOverride | None, item_type: str) -> list[str]:
    """The fields of a synced override whose value differs from ServiceTitan's now (empty when in step)."""
    if override is None or override.status != PricebookOverride.Status.SYNCED:
        return []
    return [
        f.name
        for f in override_fields_for(item_type)
        if getattr(override, f.override) is not None and getattr(override, f.override) != getattr(item, f.name)
    ]


def price_history_for(item_type: str, st_id: int, tenant_id: int) -> QuerySet:
    """ServiceTitan's values of one item over time (newest first)."""
    from pricebook.models import PriceHistory

    return PriceHistory.objects.filter(tenant_id=tenant_id, item_type=item_type, st_pricebook_id=st_id).select_related(
        "changed_by"
    )


def overrides_needing_push() -> QuerySet:
    return PricebookOverride.objects.filter(status=PricebookOverride.Status.PENDING).order_by("changed_at", "id")


def history_for(item_type: str, st_id: int, tenant_id: int) -> QuerySet:
    from pricebook.models import PricebookOverrideChange

    return PricebookOverrideChange.objects.filter(
        tenant_id=tenant_id, item_type=item_type, st_pricebook_id=st_id
    ).select_related("user")


def category_tree(tenant_id: int | None = None) -> list:
    """Every category in tree order, each with `material_count`, `service_count` and `equipment_count` (direct)."""
    from django.db.models import Count

    Category = apps.get_model("pricebook", "Category")
    qs = Category.objects.filter(deleted=False)
    if tenant_id is not None:
        qs = qs.filter(tenant_id=tenant_id)
    categories = list(qs.order_by("path", "st_id"))
    # One grouped count per relation: joining all three at once would multiply the rows.
    counts = {}
    for relation in ("materials", "services", "equipment"):
        through = getattr(Category, relation).through
        counts[relation] = dict(
            through.objects.values_list("category_id").annotate(n=Count("pk")).values_list("category_id", "n")
        )
    for category in categories:
        category.material_count = counts["materials"].get(category.pk, 0)
        category.service_count = counts["services"].get(category.pk, 0)
        category.equipment_count = counts["equipment"].get(category.pk, 0)
    return categories
