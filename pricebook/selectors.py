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
    Expression,
    ExpressionWrapper,
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
from django.db.models.query import ModelIterable

from pricebook.models import ITEM_KINDS as ITEM_KINDS  # declared with the models, imported from here too
from pricebook.models import OVERRIDE_MONEY, PricebookOverride, override_fields_for
from pricebook.models import ItemKind as ItemKind


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


def attach_effective_values(items, item_type: str) -> None:
    """Set `override_id`, `override_status`, `override_has_image`, `override_drifted` (synced, but ServiceTitan changed
    since) and `effective_<field>` on these master rows, in
    one query for all of them (the overrides of their ServiceTitan ids)."""
    items = list(items)
    if not items:
        return
    overrides = {}
    pending_images = set()
    has_image = ExpressionWrapper(Q(override_image_data__isnull=False), output_field=BooleanField())
    for tenant_id in {item.tenant_id for item in items}:
        st_ids = [item.st_id for item in items if item.tenant_id == tenant_id]
        for override in (
            PricebookOverride.objects.filter(tenant_id=tenant_id, item_type=item_type, st_pricebook_id__in=st_ids)
            .defer("override_image_data")
            .annotate(has_image_data=has_image)
        ):
            overrides[(tenant_id, override.st_pricebook_id)] = override
            if override.has_image_data and override.status != PricebookOverride.Status.SYNCED:
                pending_images.add(override.pk)
    fields = override_fields_for(item_type)
    for item in items:
        override = overrides.get((item.tenant_id, item.st_id))
        item.override_id = override.pk if override else None
        item.override_status = override.status if override else None
        item.override_changed_at = override.changed_at if override else None
        item.override_has_image = override is not None and override.pk in pending_images
        item.override_drifted = bool(drifted_fields(item, override, item_type))
        unsynced = override_is_effective(override)
        for field in fields:
            value = getattr(override, field.override) if unsynced else None
            setattr(item, f"effective_{field.name}", getattr(item, field.name) if value is None else value)


class EffectiveValuesIterable(ModelIterable):
    """Model rows with their effective values attached after the fetch: for the rows fetched only (a page), in one
    more query, however large the table and whatever the ordering or OFFSET."""

    def __iter__(self):
        rows = list(super().__iter__())
        attach_effective_values(rows, item_type_of(self.queryset.model))
        return iter(rows)


def with_effective_values(qs: QuerySet, item_type: str | None = None) -> QuerySet:
    """The rows of `qs`, each with `override_id`, `override_status`, `override_has_image` and `effective_<field>`
    for each overridable field, computed for the rows fetched only (a page costs the same at 100,000 rows as at 10).

    To order or filter the database by an effective value, use `effective_value_expression` /
    `override_status_expression` (correlated subqueries: they cost a pass over the table)."""
    item_type = item_type or item_type_of(qs.model)
    qs = qs._chain()
    qs._iterable_class = EffectiveValuesIterable
    return qs


class _PerItemType(Expression):
    """An expression whose SQL depends on the item type of the queryset it is used in (for admin columns shared by
    every item admin): resolved to `build(item_type)` against the query's model."""

    def __init__(self, build, output_field=None):
        super().__init__(output_field=output_field)
        self.build = build

    def resolve_expression(self, query=None, *args, **kwargs):
        return self.build(item_type_of(query.model)).resolve_expression(query, *args, **kwargs)


def EffectiveValue(name: str):
    """Order by the effective value of `name` (e.g. `@admin.display(ordering=EffectiveValue("price"))`)."""
    return _PerItemType(lambda item_type: effective_value_expression(item_type, name), _output_field(name))


def EffectiveCost():
    """Order by the cost shown: a service's rolled-up total, else the effective cost (a pending cost override)."""
    return _PerItemType(
        lambda item_type: F("total_cost") if item_type == "service" else effective_value_expression(item_type, "cost"),
        _output_field("cost"),
    )


def OverrideStatus():
    return _PerItemType(override_status_expression, CharField())


def override_status_expression(item_type: str):
    """The item's override status as SQL (for ordering by it)."""
    return Subquery(overrides_for(item_type).values("status")[:1])


def effective_value_expression(item_type: str, name: str):
    """The effective value of one field as SQL (for ordering by it)."""
    field = next(f for f in override_fields_for(item_type) if f.name == name)
    unsynced = overrides_for(item_type).exclude(status__in=NOT_EFFECTIVE_STATUSES)
    return Coalesce(
        Subquery(unsynced.values(field.override)[:1], output_field=_output_field(name)),
        F(name),
        output_field=_output_field(name),
    )


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


@dataclass
class LinkedItemRow:
    kind: str  # "material" / "equipment"
    st_id: int
    item: object | None  # the mirrored row, None while it is not mirrored
    quantity: Decimal
    unit_cost: Decimal | None

    @property
    def line_cost(self) -> Decimal | None:
        return None if self.unit_cost is None else self.quantity * self.unit_cost


@dataclass
class LinkedItems:
    rows: list[LinkedItemRow]

    @property
    def total_cost(self) -> Decimal:
        """The roll-up: what the linked materials and equipment cost for one of this item (quantity times cost)."""
        return sum((row.line_cost for row in self.rows if row.line_cost is not None), Decimal(0))

    @property
    def missing(self) -> int:
        return sum(1 for row in self.rows if row.item is None)


def linked_items(item) -> LinkedItems:
    """The materials and equipment a service (or the materials an equipment item) uses, by name with quantity, the
    item's effective cost (a pending cost override counts) and the roll-up. Two or three queries."""
    relations = [("material", "material_links", "material")]
    if item_type_of(item) == "service":
        relations.append(("equipment", "equipment_links", "equipment"))
    rows = []
    for kind, relation, target in relations:
        links = list(getattr(item, relation).select_related(target).order_by("pk"))
        targets = [getattr(link, target) for link in links if getattr(link, target) is not None]
        attach_effective_values(targets, kind)
        for link in links:
            linked = getattr(link, target)
            cost = getattr(linked, "effective_cost", None) if linked is not None else None
            rows.append(LinkedItemRow(kind, link.target_st_id, linked, link.quantity or Decimal(0), cost))
    return LinkedItems(rows)
