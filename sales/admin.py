from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

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


class EditedInServiceTitanAdmin(MirrorAdmin):
    """Lists LAZI shows but does not edit: the page says so."""

    read_only_note = ""

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": self.read_only_note})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": self.read_only_note}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(DiscountFee)
class DiscountFeeAdmin(EditedInServiceTitanAdmin):
    list_display = ("code", "display_name", "type", "amount_type", "amount", "limit", "taxable")
    list_filter = ("type", "amount_type", "taxable")
    search_fields = ("code", "display_name", "description")
    read_only_note = "Read-only in LAZI: discounts and fees are edited in ServiceTitan and mirrored here by the sync."


@admin.register(RateSheet)
class RateSheetAdmin(EditedInServiceTitanAdmin):
    list_display = ("exception_count",)
    read_only_note = (
        "Read-only in LAZI: client-specific pricing is edited in ServiceTitan and mirrored here by the sync."
    )

    @admin.display(description="exceptions")
    def exception_count(self, obj):
        return len(obj.exceptions or [])


admin.site.register([RawEstimate, RawDiscountFee, RawRateSheet], RawRecordAdmin)
