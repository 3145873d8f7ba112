from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from pricebook.admin.columns import money
from pricebook.admin.editing import OverrideEditingAdmin
from pricebook.admin.filters import OverrideStatusFilter
from pricebook.selectors import EffectiveValue
from sales.models import DiscountFee, Estimate, EstimateItem, RateSheet, RawDiscountFee, RawEstimate, RawRateSheet
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin


@admin.register(Estimate)
class EstimateAdmin(MirrorAdmin):
    list_display = ("name", "status", "job_number", "customer", "subtotal", "sold_on", "created_on")
    list_select_related = ("customer",)
    list_filter = ("status", "review_status", "is_recommended")
    search_fields = ("name", "job_number", "summary")
    date_hierarchy = "created_on"
    readonly_fields = ("lines",)

    @admin.display(description="items")
    def lines(self, obj):
        items = list(obj.items.all()[:200])
        if not items:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((i.sku_type, i.sku_name, i.description, i.quantity, i.unit_rate, i.unit_cost) for i in items),
        )
        link = reverse("admin:sales_estimateitem_changelist") + f"?estimate_st_id={obj.st_id}"
        return format_html(
            "<table><tr><th>type</th><th>SKU</th><th>description</th><th>qty</th><th>rate</th><th>cost</th></tr>"
            '{}</table><a href="{}">Open these items</a>',
            rows,
            link,
        )


@admin.register(EstimateItem)
class EstimateItemAdmin(MirrorAdmin):
    """Estimate lines, one row each (from the estimates' own JSON: see the estimate for ServiceTitan's record)."""

    list_display = ("estimate", "status", "sku_type", "sku_name", "quantity", "unit_rate", "unit_cost", "total")
    list_select_related = ("estimate",)
    list_filter = ("status", "sku_type")
    search_fields = ("sku_name", "description", "=sku_st_id", "=estimate_st_id")
    date_hierarchy = "estimate_created_on"


class PriceListAdmin(OverrideEditingAdmin):
    """Discounts and fees, rate sheets: ServiceTitan's, edited through overrides like the pricebook's items (the page
    shows ServiceTitan's values beside the override form, its status, ServiceTitan's message, the history). Not
    priced from cost: no margins, reprice or price history here."""

    actions = ("push_selected", "discard_overrides")
    # The admin's own list page: the items' adds pricebook links (import, category tree, health) that do not apply.
    change_list_template = None
    edit_note = ""

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": self.edit_note})


@admin.register(DiscountFee)
class DiscountFeeAdmin(PriceListAdmin):
    item_type = "discount_fee"
    list_display = (
        "code",
        "shown_display_name",
        "type",
        "shown_amount_type",
        "shown_amount",
        "shown_limit",
        "shown_taxable",
        "shown_active",
        "status",
    )
    list_display_links = ("code",)
    list_filter = ("type", "amount_type", "taxable", OverrideStatusFilter)
    search_fields = ("code", "display_name", "description")
    edit_note = (
        "Edited through overrides: your change is pushed to ServiceTitan (pending → pushed → synced); "
        "the list shows the values in use."
    )

    @admin.display(description="display name", ordering=EffectiveValue("display_name"))
    def shown_display_name(self, obj):
        return obj.effective_display_name

    @admin.display(description="amount type", ordering=EffectiveValue("amount_type"))
    def shown_amount_type(self, obj):
        return obj.effective_amount_type

    @admin.display(description="amount", ordering=EffectiveValue("amount"))
    def shown_amount(self, obj):
        return money(obj.effective_amount)

    @admin.display(description="limit", ordering=EffectiveValue("limit"))
    def shown_limit(self, obj):
        return money(obj.effective_limit)

    @admin.display(description="taxable", boolean=True, ordering=EffectiveValue("taxable"))
    def shown_taxable(self, obj):
        return obj.effective_taxable


@admin.register(RateSheet)
class RateSheetAdmin(PriceListAdmin):
    item_type = "rate_sheet"
    list_display = ("st_id", "exception_count", "status")
    list_display_links = ("st_id",)
    list_filter = (OverrideStatusFilter,)
    edit_note = (
        "Client-specific pricing: edit a sheet's exceptions through an override, pushed to ServiceTitan "
        "(pending → pushed → synced)."
    )

    @admin.display(description="exceptions in use")
    def exception_count(self, obj):
        return len(obj.effective_exceptions or [])


admin.site.register([RawEstimate, RawDiscountFee, RawRateSheet], RawRecordAdmin)
