"""Reads of the pricebook: which model serves an item type, effective values (the override while it is pending,
ServiceTitan's once synced), and querysets annotated with them for lists, the admin and the API."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    DecimalField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
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
    "display_name": TextField(),
    "amount_type": CharField(),
    "taxable": BooleanField(),
    "exceptions": JSONField(),
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


def service_cost_lines(service_pks) -> dict[int, list[CostLine]]:
    """Service pk -> its cost lines: each linked material and equipment item (quantity x cost, ServiceTitan's and with
    a pending cost override), materials first, in link order. Deleted or not yet mirrored links count 0, as in the
    stored roll-up (`pricebook.services.costs`). Four queries whatever the number of services: the one reader of a
    service's parts, for its page (`service_cost_breakdown`) and for reprice's pages alike."""
    from pricebook.models import ServiceEquipment, ServiceMaterial

    service_pks = list(service_pks)
    lines: dict[int, list[CostLine]] = {pk: [] for pk in service_pks}
    if not service_pks:
        return lines
    for kind, link_model, target in (
        ("material", ServiceMaterial, "material"),
        ("equipment", ServiceEquipment, "equipment"),
    ):
        column = f"{target}_id"
        links = list(
            link_model.objects.filter(service_id__in=service_pks)
            .order_by("service_id", "pk")
            .values_list("service_id", column, "target_st_id", "quantity")
        )
        master = item_kind(kind).master
        targets = {
            t.pk: t
            for t in with_effective_values(master.objects.filter(pk__in={pk for _, pk, _, _ in links if pk}), kind)
        }
        for service_pk, target_pk, target_st_id, quantity in links:
            item = targets.get(target_pk)
            counted = item is not None and not item.deleted
            lines[service_pk].append(
                CostLine(
                    kind=kind,
                    st_id=target_st_id,
                    code=item.code if item else "",
                    name=item.name if item else "not mirrored",
                    quantity=Decimal(quantity or 0),
                    unit_cost=Decimal(item.cost or 0) if counted else Decimal(0),
                    effective_unit_cost=Decimal(item.effective_cost or 0) if counted else Decimal(0),
                    mirrored=item is not None,
                )
            )
    return lines


def service_cost_breakdown(service) -> CostBreakdown:
    """A service's cost for its page: its labour cost (ServiceTitan's `cost`) and its cost lines. `effective_total` is
    the cost reprice prices the service from (same reader, `service_cost_lines`)."""
    return CostBreakdown(labor_cost=Decimal(service.cost or 0), lines=service_cost_lines([service.pk])[service.pk])


# --- Pricing rules: which rule prices an item (PRICING.md) ----------------------------------------------------------
class RuleCase(Expression):
    """`CASE <rule id> WHEN pk THEN value … ELSE default END`: the applying rule's value for the row, its rule id
    evaluated once (a searched CASE would repeat the rule id subquery in every branch)."""

    def __init__(self, rule_id, branches: dict, default, output_field):
        super().__init__(output_field=output_field)
        self.rule_id = rule_id
        self.branches = [(Value(pk), value) for pk, value in branches.items()]
        self.default = default

    def get_source_expressions(self):
        return [self.rule_id, self.default, *(e for branch in self.branches for e in branch)]

    def set_source_expressions(self, exprs):
        self.rule_id, self.default, *rest = exprs
        self.branches = list(zip(rest[::2], rest[1::2], strict=True))

    def as_sql(self, compiler, connection):
        if not self.branches:
            return compiler.compile(self.default)
        sql, params = compiler.compile(self.rule_id)
        parts, all_params = [f"CASE {sql}"], list(params)
        for when, then in self.branches:
            when_sql, when_params = compiler.compile(when)
            then_sql, then_params = compiler.compile(then)
            parts.append(f"WHEN {when_sql} THEN {then_sql}")
            all_params += [*when_params, *then_params]
        default_sql, default_params = compiler.compile(self.default)
        parts.append(f"ELSE {default_sql} END")
        return " ".join(parts), all_params + list(default_params)


@dataclass(frozen=True)
class ApplicableRules:
    """Which pricing rule applies to items of one type: the most specific category subtree wins (PRICING.md). An item
    takes, of its categories, the rule of the deepest category at or above one of them that has a rule (ties: the
    oldest rule); an item none of whose categories is covered takes its tenant's default rule (the oldest rule on no
    category); else no rule. The one definition health's checks and reprice both use, set-based: the rules and
    categories (a few hundred rows) are read once, then `rule_id` resolves every item in SQL."""

    item_type: str
    rules: dict  # rule pk -> PricingRule
    # category pk -> (depth of the rule's category, rule pk): the nearest rule at or above the category
    by_category: dict
    default: dict  # tenant id -> rule pk

    @classmethod
    def load(cls, item_type: str, tenant_id: int | None = None) -> ApplicableRules:
        PricingRule = apps.get_model("pricebook", "PricingRule")
        Category = apps.get_model("pricebook", "Category")
        rules_qs = PricingRule.objects.filter(item_type=item_type)
        if tenant_id is not None:
            rules_qs = rules_qs.filter(tenant_id=tenant_id)
        rules = {rule.pk: rule for rule in rules_qs.order_by("pk")}
        default: dict[int, int] = {}
        own: dict[tuple[int, int], int] = {}  # (tenant, category st_id) -> the oldest rule on that category
        for rule in rules.values():
            if rule.category_st_id is None:
                default.setdefault(rule.tenant_id, rule.pk)
            else:
                own.setdefault((rule.tenant_id, rule.category_st_id), rule.pk)
        by_category: dict[int, tuple[int, int]] = {}
        if own:
            categories = Category.objects.filter(tenant_id__in={tenant for tenant, _ in own})
            rows = {
                (tenant, st_id): (pk, parent_st_id, depth)
                for pk, tenant, st_id, parent_st_id, depth in categories.values_list(
                    "pk", "tenant_id", "st_id", "parent_st_id", "depth"
                )
            }
            nearest: dict[tuple[int, int], tuple[int, int] | None] = {}

            def find(key) -> tuple[int, int] | None:
                # Walk up by parent (ServiceTitan's parentId), guarding against cycles in bad data.
                path, found = [], None
                while key in rows and key not in nearest and key not in path:
                    path.append(key)
                    if key in own:
                        found = (rows[key][2], own[key])
                        break
                    key = (key[0], rows[key][1])
                else:
                    found = nearest.get(key)
                for seen in path:
                    nearest[seen] = found
                return found

            for key, (pk, _, _) in rows.items():
                found = find(key)
                if found is not None:
                    by_category[pk] = found
        return cls(item_type, rules, by_category, default)

    def rule_id(self, model):
        """The applying rule's pk for the outer item row, as an SQL expression (NULL: no rule)."""
        output = BigIntegerField()
        defaults = [When(tenant_id=tenant, then=Value(pk)) for tenant, pk in self.default.items()]
        fallback = Case(*defaults, default=Value(None), output_field=output) if defaults else Value(None, output)
        if not self.by_category:
            return Cast(fallback, output)
        groups: dict[tuple[int, int], list[int]] = {}
        for category_pk, found in self.by_category.items():
            groups.setdefault(found, []).append(category_pk)
        through = model._meta.get_field("categories").remote_field.through
        owner = model._meta.model_name
        links = (
            through.objects.filter(**{owner: OuterRef("pk")}, category_id__in=list(self.by_category))
            .annotate(
                rule_depth=Case(*[When(category_id__in=pks, then=Value(d)) for (d, _), pks in groups.items()]),
                rule_pk=Case(
                    *[When(category_id__in=pks, then=Value(r)) for (_, r), pks in groups.items()], output_field=output
                ),
            )
            .order_by("-rule_depth", "rule_pk")
        )
        return Coalesce(Subquery(links.values("rule_pk")[:1], output_field=output), fallback, output_field=output)

    def value(self, rule_id, choose, output_field, default=None):
        """An SQL expression of the applying rule's value for the row: `choose(rule)` per rule (an expression, or
        None: that rule takes the default), `default` (None: NULL) for the others and for items without a rule.
        `rule_id` is `rule_id(model)`; it is evaluated once per row, and not at all when no rule has a value."""
        default = Value(None, output_field) if default is None else default
        branches = {pk: value for pk, rule in self.rules.items() if (value := choose(rule)) is not None}
        # Typed: PostgreSQL reads a CASE of nothing but NULL parameters as text.
        return Cast(RuleCase(rule_id, branches, default, output_field), output_field)

    def rule_of(self, rule_pk):
        return self.rules.get(rule_pk)


# --- Reprice rows ------------------------------------------------------------------------------------------------------
SOLD_DAYS = 90


def with_sold_90_days(rows: QuerySet, *, now=None) -> QuerySet:
    """Reprice rows annotated with `sold_90_days`: units of the row's item sold over the last 90 days (invoice lines
    of its SKU and line type, as `sales.selectors` counts them; 0 when none), a correlated subquery over the
    (tenant, SKU, date)-indexed lines, so a page of rows stays one statement."""
    import datetime

    from django.db.models import Sum
    from django.utils import timezone

    from sales.selectors import AMOUNT, ITEM_TYPES, ZERO, sold_lines

    since = (now or timezone.now()) - datetime.timedelta(days=SOLD_DAYS)
    line_type = Case(
        *[When(item_type=item_type, then=Value(line)) for item_type, (_, line) in ITEM_TYPES.items()],
        output_field=TextField(),
    )
    units = (
        sold_lines(since)
        .filter(tenant_id=OuterRef("tenant_id"), sku_st_id=OuterRef("st_pricebook_id"), item_type=OuterRef("line"))
        .order_by()
        .values("sku_st_id")
        .annotate(units=Sum("quantity"))
        .values("units")[:1]
    )
    return rows.alias(line=line_type).annotate(
        sold_90_days=Coalesce(Subquery(units, output_field=AMOUNT), ZERO, output_field=AMOUNT)
    )


def items_with_sold_90_days(qs: QuerySet, item_type: str | None = None, *, now=None) -> QuerySet:
    """Materials, services or equipment annotated with `sold_90_days` (units sold over the last 90 days, as
    `sales.selectors` counts them): a correlated subquery in the list's own statement, so a page, sorted by it or
    not, stays one query; PostgreSQL evaluates it for the page's rows only unless the list is sorted by it."""
    from sales.selectors import units_sold

    return qs.annotate(sold_90_days=units_sold(item_type or item_type_of(qs.model), SOLD_DAYS, now=now))


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
