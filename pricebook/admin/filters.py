"""The item lists' filters: category tree, override status, health checks, margins, cost, image."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.utils.html import format_html

from pricebook.health import BY_NAME, apply_check, checks_for
from pricebook.models import (
    Category,
    PricebookOverride,
    Service,
)
from pricebook.selectors import (
    filter_by_category_tree,
    filter_by_override_status,
)
from pricebook.selectors import item_type_of as item_kind_of
from servicetitan.conversions import plain_id
from tenants.access import scope_queryset
from tenants.admin_scope import admin_scope

Status = PricebookOverride.Status


class CategoryTreeFilter(admin.SimpleListFilter):
    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        categories = scope_queryset(Category.objects.filter(deleted=False), admin_scope(request))
        categories = categories.order_by("path").values_list("pk", "name", "depth")
        return [(str(pk), format_html("{}{}", "\u2003" * depth, name)) for pk, name, depth in categories]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        category_id = plain_id(self.value())
        if category_id is None:
            return queryset.none()  # not a category's id (a hand-typed or truncated link): no category, no items
        category = scope_queryset(Category.objects.filter(pk=category_id), admin_scope(request)).first()
        return filter_by_category_tree(queryset, category) if category else queryset.none()


class OverrideStatusFilter(admin.SimpleListFilter):
    title = "override status"
    parameter_name = "override_status"

    def lookups(self, request, model_admin):
        return [("none", "No override"), *Status.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none" or value in Status.values:
            return filter_by_override_status(queryset, value)
        return queryset


class HealthFilter(admin.SimpleListFilter):
    """`?health=<check>`: the items a pricebook health check finds (the health page links here)."""

    title = "pricebook health"
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return [(check.name, check.label) for check in checks_for(model_admin.item_type)]

    def queryset(self, request, queryset):
        if self.value() in BY_NAME:
            return apply_check(queryset, self.value(), item_kind_of(queryset.model))
        return queryset


class MarginBandFilter(admin.SimpleListFilter):
    """ServiceTitan's margin % in bands (the indexed `margin_percent` column)."""

    title = "margin"
    parameter_name = "margin_band"
    BANDS = {
        "loss": ("Below 0% (loss)", None, 0),
        "0-20": ("0-20%", 0, 20),
        "20-40": ("20-40%", 20, 40),
        "40-60": ("40-60%", 40, 60),
        "60-": ("60% and more", 60, None),
    }

    def lookups(self, request, model_admin):
        return [*((key, band[0]) for key, band in self.BANDS.items()), ("none", "Undefined (price 0)")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(margin_percent__isnull=True)
        if value not in self.BANDS:
            return queryset
        _, low, high = self.BANDS[value]
        if low is not None:
            queryset = queryset.filter(margin_percent__gte=low)
        if high is not None:
            queryset = queryset.filter(margin_percent__lt=high)
        return queryset


class MarginBelowFilter(admin.SimpleListFilter):
    """ "Below N%": any number typed in the box (or a common threshold)."""

    title = "margin below"
    parameter_name = "margin_below"
    template = "admin/pricebook/margin_below_filter.html"

    def lookups(self, request, model_admin):
        return [(str(n), f"Below {n}%") for n in (20, 30, 40, 50, 60)]

    def choices(self, changelist):
        # The box keeps the list's other filters and search.
        self.hidden_params = [
            (key, value)
            for key, values in changelist.params.items()
            if key != self.parameter_name
            for value in (values if isinstance(values, list) else [values])
        ]
        return super().choices(changelist)

    def number(self):
        try:
            number = Decimal(str(self.value()).strip().rstrip("%"))
        except (ArithmeticError, ValueError):
            return None
        return number if number.is_finite() else None  # "nan" and "inf" are Decimals, not margins

    def queryset(self, request, queryset):
        if self.value() in (None, ""):
            return queryset
        number = self.number()
        return queryset.none() if number is None else queryset.filter(margin_percent__lt=number)


class CostMissingFilter(admin.SimpleListFilter):
    title = "cost"
    parameter_name = "cost_missing"

    def lookups(self, request, model_admin):
        return [("yes", "Cost missing (0)"), ("no", "Has a cost")]

    def queryset(self, request, queryset):
        column = "total_cost" if queryset.model is Service else "cost"
        if self.value() == "yes":
            return queryset.filter(**{column: 0})
        if self.value() == "no":
            return queryset.exclude(**{column: 0})
        return queryset


class HasImageFilter(admin.SimpleListFilter):
    title = "image"
    parameter_name = "has_image"

    def lookups(self, request, model_admin):
        return [("yes", "Has an image"), ("no", "No image")]

    def queryset(self, request, queryset):
        field = "image_url" if queryset.model is Category else "default_image_url"
        if self.value() == "yes":
            return queryset.exclude(**{field: ""})
        if self.value() == "no":
            return queryset.filter(**{field: ""})
        return queryset
