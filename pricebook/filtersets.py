"""Filters of the pricebook API (django-filter)."""

from django_filters import rest_framework as filters

from pricebook.models import (
    Category,
    Equipment,
    Material,
    PricebookOverride,
    PriceHistory,
    PricingRule,
    RepriceBatch,
    Service,
)
from pricebook.selectors import cost_column, filter_by_category_tree, filter_by_override_status
from servicetitan.api.filtersets import (
    BooleanFilter,
    IntegerFilter,
    IsoDateTimeFilter,
    LaziFilterSet,
    MirrorFilterSet,
)

TEXT = ["exact", "icontains"]
OVERRIDE_STATUSES = [("none", "no override"), *PricebookOverride.Status.choices]


class CategoryFilterSet(MirrorFilterSet):
    override_status = filters.ChoiceFilter(choices=OVERRIDE_STATUSES, method="filter_override_status")

    class Meta:
        model = Category
        fields = {"name": TEXT, "category_type": ["exact"], "parent_st_id": ["exact"], "depth": ["exact"]}

    def filter_override_status(self, queryset, name, value):
        return filter_by_override_status(queryset, value, "category")


class PricebookItemFilterSet(MirrorFilterSet):
    """`code`, `category` (a category's ServiceTitan id, its subcategories included), `active`, `modified_since`,
    `override_status` (`none`, `pending`, `pushing`, `synced`, `failed`, `conflict`), `margin_percent__lt` /
    `margin_percent__gte` (ServiceTitan's margin %, indexed; items whose margin is undefined — price 0 — match
    neither), `markup_percent__lt` / `__gte`, `cost_missing` (cost 0)."""

    item_type = ""
    margin_percent__lt = filters.NumberFilter(field_name="margin_percent", lookup_expr="lt", label="Margin % below")
    margin_percent__gte = filters.NumberFilter(
        field_name="margin_percent", lookup_expr="gte", label="Margin % at least"
    )
    markup_percent__lt = filters.NumberFilter(field_name="markup_percent", lookup_expr="lt", label="Markup % below")
    markup_percent__gte = filters.NumberFilter(
        field_name="markup_percent", lookup_expr="gte", label="Markup % at least"
    )
    cost_missing = BooleanFilter(method="filter_cost_missing", label="Cost missing (0)")
    category = IntegerFilter(method="filter_category", label="Category (ServiceTitan id, subcategories included)")
    override_status = filters.ChoiceFilter(choices=OVERRIDE_STATUSES, method="filter_override_status")

    class Meta:
        fields = {"code": TEXT, "name": TEXT}

    def filter_category(self, queryset, name, value):
        category = Category.objects.filter(st_id=value).first()
        return filter_by_category_tree(queryset, category) if category else queryset.none()

    def filter_override_status(self, queryset, name, value):
        return filter_by_override_status(queryset, value, self.item_type)

    def filter_cost_missing(self, queryset, name, value):
        column = cost_column(self.item_type)
        return queryset.filter(**{column: 0}) if value else queryset.exclude(**{column: 0})


class MaterialFilterSet(PricebookItemFilterSet):
    item_type = "material"

    class Meta(PricebookItemFilterSet.Meta):
        model = Material


class ServiceFilterSet(PricebookItemFilterSet):
    item_type = "service"

    class Meta(PricebookItemFilterSet.Meta):
        model = Service


class EquipmentFilterSet(PricebookItemFilterSet):
    item_type = "equipment"

    class Meta(PricebookItemFilterSet.Meta):
        model = Equipment


class PricebookOverrideFilterSet(LaziFilterSet):
    changed_since = IsoDateTimeFilter(field_name="changed_at", lookup_expr="gte")
    pending_sync = BooleanFilter()

    class Meta:
        model = PricebookOverride
        fields = {
            "item_type": ["exact"],
            "st_pricebook_id": ["exact", "in"],
            "status": ["exact"],
        }


class PriceHistoryFilterSet(LaziFilterSet):
    """`item_type`, `st_pricebook_id`, `field`, `source`, `changed_since` (ISO 8601)."""

    changed_since = IsoDateTimeFilter(field_name="changed_at", lookup_expr="gte", label="Changed on or after")

    class Meta:
        model = PriceHistory
        fields = {
            "item_type": ["exact"],
            "st_pricebook_id": ["exact"],
            "field": ["exact"],
            "source": ["exact"],
            "tenant_id": ["exact"],
        }


class PricingRuleFilterSet(LaziFilterSet):
    """`item_type`, `category_st_id` (a category's ServiceTitan id)."""

    class Meta:
        model = PricingRule
        fields = ("item_type", "category_st_id")


class RepriceBatchFilterSet(LaziFilterSet):
    """`status`."""

    class Meta:
        model = RepriceBatch
        fields = ("status",)
