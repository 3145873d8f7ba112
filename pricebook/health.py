"""Pricebook health (reads): the checks a pricebook manager runs, each ONE query over the whole pricebook.

A check is a filter on an item model's queryset (`apply_check`): its count is `.count()` of it (one statement, the
conditions are subqueries and semi-joins the database runs set-based), and the admin's item list filters on the same
condition (`?health=<name>`), so the count and the list always agree. Only active, not deleted items are checked, on
ServiceTitan's values as mirrored.

The two checks that need LAZI's pricing rules take each item's rule from `selectors.ApplicableRules`, the one
resolution reprice uses too (so a check and a reprice never disagree on an item's rule): the rules and categories (a
few hundred rows) are read first, then the query over the items resolves each item's rule id in SQL and reads that
rule's values from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import (
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Abs, Coalesce, Greatest, Lower, Replace
from django.urls import reverse

from pricebook.models import MarkupTier, PriceHistory, PricingRule, RepriceBatch
from pricebook.selectors import ApplicableRules, item_kind, item_type_of

ITEMS = ("material", "service", "equipment")
MONEY = DecimalField(max_digits=30, decimal_places=8)
# Arithmetic of a check's condition: a float keeps SQLite from wrapping every step in a CAST (its parser has a depth
# limit the nested rule subqueries come close to); cents-level precision is plenty for a flag.
NUMBER = FloatField()
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Characters ignored when names are compared for near-duplicates (case is ignored too).
NAME_NOISE = (" ", "-", "_", ".", ",", "/", "'", '"', "(", ")")


def tier_tolerance() -> Decimal:
    """How far (in %) a price may sit from its markup before it is "off the tier" (`PRICEBOOK_HEALTH_TIER_TOLERANCE`)."""
    return Decimal(str(settings.PRICEBOOK_HEALTH_TIER_TOLERANCE))


# --- Building blocks ----------------------------------------------------------------------------------------------------
def _categories_through(model):
    through = model._meta.get_field("categories").remote_field.through
    return through, model._meta.model_name  # the through model and its column naming the item ("material")


def _number(value) -> Value | None:
    """A rule's number as a float SQL value; None (the rule sets nothing) stays None."""
    return None if value is None else Value(float(value), NUMBER)


def _tier_percent():
    """The markup tier of the outer row's cost: the highest tier starting at or below it (PRICING.md: from ≤ cost < to;
    a cost at or above the highest `to` takes the highest tier)."""
    tiers = MarkupTier.objects.filter(tenant_id=OuterRef("tenant_id"), deleted=False, from_cost__lte=OuterRef("cost"))
    return Subquery(tiers.order_by("-from_cost").values("percent")[:1], output_field=NUMBER)


def _normalized_name(field: str = "name"):
    expression = Lower(field)
    for noise in NAME_NOISE:
        expression = Replace(expression, Value(noise), Value(""), output_field=TextField())
    return expression


def _history_time(item_type: str, field: str):
    rows = PriceHistory.objects.filter(
        tenant_id=OuterRef("tenant_id"), item_type=item_type, st_pricebook_id=OuterRef("st_id"), field=field
    )
    return Subquery(rows.order_by("-changed_at").values("changed_at")[:1], output_field=DateTimeField())


# --- The checks -------------------------------------------------------------------------------------------------------
def _cost_zero(qs, item_type):
    return qs.filter(cost=0)


def _price_below_cost(qs, item_type):
    return qs.filter(price__lt=F("cost"))


def _member_price_at_or_above_price(qs, item_type):
    return qs.filter(member_price__gt=0, member_price__gte=F("price"))


def _margin_below_minimum(qs, item_type):
    # margin % = (price - cost) / price x 100 < minimum  ⇔  (price - cost) x 100 < minimum x price, for price > 0.
    rules = ApplicableRules.load(item_type)
    minimum = rules.value(rules.rule_id(qs.model), lambda rule: _number(rule.min_margin_percent), NUMBER)
    gap = ExpressionWrapper((F("price") - F("cost")) * 100 - minimum * F("price"), output_field=NUMBER)
    return qs.filter(price__gt=0).alias(health_margin_gap=gap).filter(health_margin_gap__lt=0)


def _off_markup_tier(qs, item_type):
    rules = ApplicableRules.load(item_type)
    rule_id = rules.rule_id(qs.model)
    # The markup the item should have: its rule's fixed percent, else the tier of its cost (also without a rule), and
    # how far (in %) the price may sit from it: its rule's tolerance, else the setting's.
    markup = rules.value(
        rule_id,
        lambda rule: _number(rule.markup_percent or 0) if rule.markup == PricingRule.Markup.PERCENT else None,
        NUMBER,
        default=_tier_percent(),
    )
    tolerance = rules.value(
        rule_id, lambda rule: _number(rule.max_change_percent), NUMBER, default=Value(float(tier_tolerance()), NUMBER)
    )
    # expected = cost x (100 + markup) / 100; off when |price / expected - 1| x 100 > tolerance, written with the
    # expected value once: |10000 x price / (cost x (100 + markup)) - 100| > tolerance (cost > 0, markup >= 0).
    ratio = ExpressionWrapper(F("price") * 10000 / (F("cost") * (markup + 100)) - 100, output_field=NUMBER)
    return qs.filter(cost__gt=0).alias(health_off=Abs(ratio) - tolerance).filter(health_off__gt=0)


def _no_active_category(qs, item_type):
    through, owner = _categories_through(qs.model)
    active = through.objects.filter(**{owner: OuterRef("pk")}, category__active=True, category__deleted=False)
    return qs.filter(~Exists(active))


def _duplicate_vendor_part(qs, item_type):
    others = qs.model.objects.filter(
        tenant_id=OuterRef("tenant_id"),
        vendor_name=OuterRef("vendor_name"),
        vendor_part=OuterRef("vendor_part"),
        active=True,
        deleted=False,
    ).exclude(pk=OuterRef("pk"))
    return qs.exclude(vendor_part="").filter(Exists(others))


def _near_duplicate_name(qs, item_type):
    others = (
        qs.model.objects.filter(tenant_id=OuterRef("tenant_id"), active=True, deleted=False)
        .alias(health_other_name=_normalized_name())
        .filter(health_other_name=OuterRef("health_name"))
        .exclude(pk=OuterRef("pk"))
    )
    return qs.alias(health_name=_normalized_name()).exclude(health_name="").filter(Exists(others))


def _no_image(qs, item_type):
    return qs.filter(default_image_url="", images=[])


def _no_vendor_part(qs, item_type):
    return qs.filter(vendor_part="").filter(Q(other_vendors=[]) | Q(other_vendors__isnull=True))


def _inactive_linked_materials(qs, item_type):
    ServiceMaterial = apps.get_model("pricebook", "ServiceMaterial")
    inactive = ServiceMaterial.objects.filter(service=OuterRef("pk")).filter(
        Q(material__active=False) | Q(material__deleted=True)
    )
    return qs.filter(Exists(inactive))


def _cost_changed_price_not(qs, item_type):
    last_reprice = RepriceBatch.objects.filter(
        tenant_id=OuterRef("tenant_id"), status__in=[RepriceBatch.Status.APPROVED, RepriceBatch.Status.PUSHED]
    ).order_by(F("approved_at").desc(nulls_last=True))
    since = Greatest(
        Coalesce(_history_time(item_type, "price"), Value(EPOCH), output_field=DateTimeField()),
        Coalesce(
            Subquery(last_reprice.values("approved_at")[:1], output_field=DateTimeField()),
            Value(EPOCH),
            output_field=DateTimeField(),
        ),
        output_field=DateTimeField(),
    )
    # Only items with a cost change at all get the per-item lookups (a semi-join narrows them first).
    with_cost_changes = PriceHistory.objects.filter(item_type=item_type, field="cost").values("st_pricebook_id")
    return (
        qs.filter(st_id__in=with_cost_changes)
        .alias(health_cost_changed=_history_time(item_type, "cost"), health_since=since)
        .filter(health_cost_changed__gt=F("health_since"))
    )


@dataclass(frozen=True)
class Check:
    name: str
    label: str
    item_types: tuple[str, ...]
    apply: Callable[[QuerySet, str], QuerySet]


CHECKS: tuple[Check, ...] = (
    Check("cost_zero", "cost 0", ITEMS, _cost_zero),
    Check("price_below_cost", "price below cost", ITEMS, _price_below_cost),
    Check("member_price_not_below_price", "member price at or above price", ITEMS, _member_price_at_or_above_price),
    Check("margin_below_minimum", "margin below the rule's minimum", ITEMS, _margin_below_minimum),
    Check(
        "off_markup_tier", "off the markup tier by more than the tolerance", ("material", "equipment"), _off_markup_tier
    ),
    Check("no_active_category", "no category, or only inactive categories", ITEMS, _no_active_category),
    Check("duplicate_vendor_part", "duplicate vendor part number", ("material",), _duplicate_vendor_part),
    Check("near_duplicate_name", "near-duplicate name", ITEMS, _near_duplicate_name),
    Check("no_image", "no image", ITEMS, _no_image),
    Check("no_vendor_part", "no vendor part number", ("material",), _no_vendor_part),
    Check("inactive_linked_materials", "linked materials inactive", ("service",), _inactive_linked_materials),
    Check("cost_changed_price_not", "cost changed since the last reprice, price not", ITEMS, _cost_changed_price_not),
)
BY_NAME = {check.name: check for check in CHECKS}


def checks_for(item_type: str) -> list[Check]:
    return [check for check in CHECKS if item_type in check.item_types]


def apply_check(qs: QuerySet, name: str, item_type: str | None = None) -> QuerySet:
    """The items of `qs` the check finds (unknown names raise KeyError)."""
    item_type = item_type or item_type_of(qs.model)
    check = BY_NAME[name]
    if item_type not in check.item_types:
        return qs.none()
    return check.apply(qs.filter(active=True, deleted=False), item_type)


@dataclass(frozen=True)
class HealthLine:
    check: str
    item_type: str
    label: str
    count: int
    url: str

    @property
    def name(self) -> str:
        return f"{self.check}.{self.item_type}"

    def as_dict(self) -> dict:
        return {"check": self.name, "count": self.count, "url": self.url, "label": self.label}


def admin_list_url(item_type: str, name: str) -> str:
    master = item_kind(item_type).master
    return f"{reverse(f'admin:pricebook_{master._meta.model_name}_changelist')}?health={name}"


def run_check(check: Check, item_type: str, tenant_id: int | None = None) -> HealthLine:
    qs = item_kind(item_type).master.objects.all()
    if tenant_id is not None:
        qs = qs.filter(tenant_id=tenant_id)
    count = apply_check(qs, check.name, item_type).count()
    label = f"{item_kind(item_type).master._meta.verbose_name_plural}: {check.label}"
    return HealthLine(check.name, item_type, label, count, admin_list_url(item_type, check.name))


def pricebook_health(tenant_id: int | None = None) -> list[HealthLine]:
    """Every check of every item type it applies to, one query each."""
    return [run_check(check, item_type, tenant_id) for check in CHECKS for item_type in check.item_types]
