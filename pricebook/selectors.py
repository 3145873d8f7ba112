"""Reads of the pricebook: which model serves an item type, effective values (the override while it is pending,
ServiceTitan's once synced), and querysets annotated with them for lists, the admin and the API."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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


# An override's values are the item's effective ones while it waits to be pushed (pending, pushing, in conflict).
# Synced: ServiceTitan has them. Failed: ServiceTitan refused them, so its own values stay the current ones; the refused
# values stay on the override beside ServiceTitan's message.
NOT_EFFECTIVE_STATUSES = (PricebookOverride.Status.SYNCED, PricebookOverride.Status.FAILED)


def override_is_effective(override: PricebookOverride | None) -> bool:
    return override is not None and override.status not in NOT_EFFECTIVE_STATUSES


def effective_values(item, override: PricebookOverride | None = None, *, item_type: str | None = None) -> dict:
    """Field name -> the value shown to staff: the override's while it waits to be pushed, else ServiceTitan's."""
    item_type = item_type or item_type_of(item)
    if override is None:
        override = get_override(item_type, item.st_id, item.tenant_id)
    values = {}
    for field in override_fields_for(item_type):
        value = getattr(item, field.name)
        if override_is_effective(override):
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
    unsynced = overrides.exclude(status__in=NOT_EFFECTIVE_STATUSES)
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


# --- Margin and markup (PRICING.md) ----------------------------------------------------------------------------------
PERCENT_PLACES = Decimal("0.0001")


def _percent(numerator: Decimal, base: Decimal) -> Decimal | None:
    if not base:
        return None
    return (numerator * 100 / base).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def margin_percent(price, cost) -> Decimal | None:
    """(price - cost) / price x 100; None (undefined, shown "—") when the price is 0."""
    price, cost = Decimal(price or 0), Decimal(cost or 0)
    return _percent(price - cost, price)


def markup_percent(price, cost) -> Decimal | None:
    """(price - cost) / cost x 100; None (undefined: "cost missing") when the cost is 0."""
    price, cost = Decimal(price or 0), Decimal(cost or 0)
    return _percent(price - cost, cost)


def cost_column(item_type: str) -> str:
    """The column holding an item's full cost: a service's includes its linked materials and equipment."""
    return "total_cost" if item_type == "service" else "cost"


def with_margins(qs: QuerySet, item_type: str | None = None) -> QuerySet:
    """`with_effective_values`, plus `effective_cost` for services (their rolled-up cost: no cost override).

    ServiceTitan's margin and markup are the stored, indexed columns `margin_percent` / `markup_percent` (sort and
    filter by them); the effective ones (an override pending) come from `effective_margins(row)`, computed in Python
    for the rows shown only."""
    item_type = item_type or item_type_of(qs.model)
    qs = with_effective_values(qs, item_type)
    if item_type == "service":
        qs = qs.annotate(effective_cost=F("total_cost"))
    return qs


def effective_margins(item, item_type: str | None = None) -> dict:
    """{"cost", "price", "margin_percent", "markup_percent"} from the item's effective values (annotated by
    `with_margins`, else read with `effective_values`)."""
    item_type = item_type or item_type_of(item)
    if hasattr(item, "effective_price"):
        price = item.effective_price
        cost = getattr(item, "effective_cost", None)
        if cost is None:
            cost = getattr(item, cost_column(item_type))
    else:
        values = effective_values(item, item_type=item_type)
        price = values["price"]
        cost = values.get("cost", getattr(item, cost_column(item_type)))
    return {
        "cost": cost,
        "price": price,
        "margin_percent": margin_percent(price, cost),
        "markup_percent": markup_percent(price, cost),
    }


@dataclass
class CostLine:
    kind: str  # "material" or "equipment"
    st_id: int
    code: str
    name: str
    quantity: Decimal
    unit_cost: Decimal  # ServiceTitan's
    effective_unit_cost: Decimal  # with a pending cost override
    mirrored: bool

    @property
    def total(self) -> Decimal:
        return self.quantity * self.unit_cost

    @property
    def effective_total(self) -> Decimal:
        return self.quantity * self.effective_unit_cost


@dataclass
class CostBreakdown:
    labor_cost: Decimal
    lines: list[CostLine]

    @property
    def materials_cost(self) -> Decimal:
        return sum((line.total for line in self.lines if line.kind == "material"), Decimal(0))

    @property
    def equipment_cost(self) -> Decimal:
        return sum((line.total for line in self.lines if line.kind == "equipment"), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.labor_cost + self.materials_cost + self.equipment_cost

    @property
    def effective_total(self) -> Decimal:
        return self.labor_cost + sum((line.effective_total for line in self.lines), Decimal(0))


def service_cost_breakdown(service) -> CostBreakdown:
    """A service's cost: its labour cost (ServiceTitan's `cost`) and each linked material and equipment item
    (quantity x cost, ServiceTitan's and with a pending cost override). Deleted or not yet mirrored links count 0,
    as in the stored roll-up. Three queries."""
    from pricebook.models import ServiceEquipment, ServiceMaterial

    lines = []
    for kind, link_model, target in (
        ("material", ServiceMaterial, "material"),
        ("equipment", ServiceEquipment, "equipment"),
    ):
        links = list(link_model.objects.filter(service=service).order_by("pk"))
        target_ids = [getattr(link, f"{target}_id") for link in links if getattr(link, f"{target}_id")]
        master = item_kind(kind).master
        targets = {t.pk: t for t in with_effective_values(master.objects.filter(pk__in=target_ids), kind)}
        for link in links:
            item = targets.get(getattr(link, f"{target}_id"))
            counted = item is not None and not item.deleted
            lines.append(
                CostLine(
                    kind=kind,
                    st_id=link.target_st_id,
                    code=item.code if item else "",
                    name=item.name if item else "not mirrored",
                    quantity=link.quantity,
                    unit_cost=item.cost if counted else Decimal(0),
                    effective_unit_cost=item.effective_cost if counted else Decimal(0),
                    mirrored=item is not None,
                )
            )
    return CostBreakdown(labor_cost=service.cost, lines=lines)


# --- Markup table (ServiceTitan's materialsmarkup) --------------------------------------------------------------------
def markup_tiers(tenant_id: int | None = None) -> list:
    """ServiceTitan's markup tiers (mirror, not deleted), lowest first."""
    MarkupTier = apps.get_model("pricebook", "MarkupTier")
    qs = MarkupTier.objects.filter(deleted=False)
    if tenant_id is not None:
        qs = qs.filter(tenant_id=tenant_id)
    return list(qs.order_by("from_cost", "st_id"))


def tier_for(cost, tiers):
    """The tier whose range holds the cost (PRICING.md: from ≤ cost < to); a cost at or above the highest `to` uses
    the highest tier. None when there is no tier, or the cost is below the lowest `from`."""
    if not tiers:
        return None
    cost = Decimal(cost or 0)
    ordered = sorted(tiers, key=lambda t: (t.from_cost, t.to_cost))
    for tier in ordered:
        if tier.from_cost <= cost < tier.to_cost:
            return tier
    highest = max(ordered, key=lambda t: t.to_cost)
    return highest if cost >= highest.to_cost else None


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
