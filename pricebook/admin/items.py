"""Materials, services, equipment and categories: lists with effective values, price changes, export/import,
the service's linked items, the category tree."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from pricebook.admin.columns import Status, money, percent, sales_rows, units
from pricebook.admin.create import ItemCreateAdminMixin
from pricebook.admin.editing import OverrideEditingAdmin, can_edit
from pricebook.admin.filters import (
    CategoryTreeFilter,
    CostMissingFilter,
    HasImageFilter,
    HealthFilter,
    MarginBandFilter,
    MarginBelowFilter,
    OverrideStatusFilter,
)
from pricebook.admin.pricing import reprice_selected
from pricebook.admin.vendor_costs import VendorCostsMixin
from pricebook.forms import (
    ImportForm,
    PriceChangeForm,
)
from pricebook.models import (
    Category,
    Equipment,
    Material,
    RawCategory,
    RawEquipment,
    RawMarkupTier,
    RawMaterial,
    RawService,
    Service,
)
from pricebook.selectors import (
    EffectiveCost,
    EffectiveValue,
    category_tree,
    effective_margins,
    item_kind,
    items_with_sold_90_days,
    linked_items,
    service_cost_breakdown,
)
from pricebook.services.pricing import UnconfirmedWarnings, apply_price_change, preview_price_change, warnings_of
from pricebook.services.spreadsheets import (
    ImportFileError,
    apply_import,
    export_rows,
    preview_import,
    write_csv,
    write_xlsx,
)
from servicetitan.admin_base import RawRecordAdmin

IMPORT_SESSION_KEY = "pricebook_import"


class PricebookItemAdmin(OverrideEditingAdmin):
    list_display = (
        "thumbnail",
        "code",
        "shown_name",
        "shown_cost",
        "shown_price",
        "shown_member_price",
        "shown_add_on_price",
        "margin",
        "markup",
        "sold_90_days",
        "category_names",
        "shown_active",
        "status",
    )
    list_display_links = ("code",)
    search_fields = ("code", "name", "description")
    actions = (*OverrideEditingAdmin.actions, "change_prices", reprice_selected, "export_csv", "export_xlsx")

    def has_reprice_permission(self, request):
        return request.user.has_perm("pricebook.add_repricebatch")

    def get_list_display(self, request):
        return self.list_display

    def get_list_filter(self, request):
        return (
            CategoryTreeFilter,
            OverrideStatusFilter,
            HealthFilter,
            MarginBandFilter,
            MarginBelowFilter,
            CostMissingFilter,
            "active",
            HasImageFilter,
            "deleted",
        )

    def get_queryset(self, request):
        qs = items_with_sold_90_days(super().get_queryset(request).prefetch_related("categories"), self.item_type)
        # A service's cost is its rolled-up total (no cost override); materials/equipment have `effective_cost`.
        return qs.annotate(effective_cost=F("total_cost")) if self.item_type == "service" else qs

    @admin.display(description="sold 90 days", ordering="sold_90_days")
    def sold_90_days(self, obj):
        return units(obj.sold_90_days)

    def _override_context(self, request, item, override, form):
        return {
            **super()._override_context(request, item, override, form),
            "item_sales": sales_rows(item, self.item_type),
        }

    # Margin and markup: ServiceTitan's (stored, indexed: the columns sort by them), then the effective one when a
    # pending override changes it (computed from the row's annotations: no query per row).
    @admin.display(description="cost", ordering=EffectiveCost())
    def shown_cost(self, obj):
        return money(obj.effective_cost)

    def _percent_column(self, obj, name: str):
        stored = getattr(obj, name)
        shown = percent(stored)
        if stored is None and name == "markup_percent":
            shown = format_html('— <span class="pb-problem">{}</span>', "cost missing")
        if obj.override_status and obj.override_status not in (Status.SYNCED, Status.FAILED):
            now = effective_margins(obj, self.item_type)[name]
            if now != stored:
                return format_html(
                    '{} → <strong title="{}">{}</strong>', shown, "with the pending override", percent(now)
                )
        return shown

    @admin.display(description="margin", ordering="margin_percent")
    def margin(self, obj):
        return self._percent_column(obj, "margin_percent")

    @admin.display(description="markup", ordering="markup_percent")
    def markup(self, obj):
        return self._percent_column(obj, "markup_percent")

    @admin.display(description="price", ordering=EffectiveValue("price"))
    def shown_price(self, obj):
        return money(obj.effective_price)

    @admin.display(description="member price", ordering=EffectiveValue("member_price"))
    def shown_member_price(self, obj):
        return money(obj.effective_member_price)

    @admin.display(description="add-on price", ordering=EffectiveValue("add_on_price"))
    def shown_add_on_price(self, obj):
        return money(obj.effective_add_on_price)

    @admin.display(description="category")
    def category_names(self, obj):
        return ", ".join(c.name for c in obj.categories.all()) or "—"

    def get_urls(self):
        opts = self.model._meta
        view = self.admin_site.admin_view(self.import_view)
        urls = [path("import/", view, name=f"{opts.app_label}_{opts.model_name}_import")]
        if hasattr(self, "vendor_costs_view"):
            vendor_view = self.admin_site.admin_view(self.vendor_costs_view)
            urls.append(path("vendor-costs/", vendor_view, name=f"{opts.app_label}_{opts.model_name}_vendor_costs"))
        return [*urls, *super().get_urls()]

    # --- price changes: previewed on an intermediate page, applied as overrides ---
    @admin.action(description="Change prices of selected (preview first)…", permissions=["override"])
    def change_prices(self, request, queryset):
        form = PriceChangeForm(request.POST if "_preview" in request.POST or "_apply" in request.POST else None)
        rows = []
        if form.is_bound and form.is_valid():
            options = {
                "fields": form.cleaned_data["fields_to_change"],
                "mode": form.cleaned_data["mode"],
                "amount": form.cleaned_data["amount"],
                "rounding": form.cleaned_data["rounding"],
            }
            if "_apply" in request.POST:
                try:
                    count = apply_price_change(
                        list(queryset),
                        user=request.user,
                        confirm_warnings=form.cleaned_data["confirm_warnings"],
                        **options,
                    )
                except UnconfirmedWarnings as exc:
                    form.add_error(
                        "confirm_warnings",
                        f"{len(exc.warnings)} new price(s) carry a warning (listed below): check them and tick "
                        "the box to save anyway, or change the rule.",
                    )
                else:
                    self.message_user(
                        request, f"New prices saved as overrides for {count} item(s); they will be pushed."
                    )
                    return None
            rows = preview_price_change(list(queryset[:500]), **options)
        context = {
            **self.admin_site.each_context(request),
            "title": "Change prices",
            "opts": self.model._meta,
            "form": form,
            "rows": rows,
            "warning_count": len(warnings_of(rows)),
            "queryset": queryset,
            "count": queryset.count(),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/pricebook/price_change.html", context)

    # --- export / import ---
    def _export(self, queryset, content: bytes, extension: str, content_type: str):
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.item_type}-{stamp}.{extension}"'
        return response

    @admin.action(description="Export selected to CSV")
    def export_csv(self, request, queryset):
        return self._export(queryset, write_csv(export_rows(queryset, self.item_type)), "csv", "text/csv")

    @admin.action(description="Export selected to Excel")
    def export_xlsx(self, request, queryset):
        content = write_xlsx(export_rows(queryset, self.item_type), title=str(self.model._meta.verbose_name_plural))
        return self._export(
            queryset, content, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )

    def import_view(self, request):
        if not can_edit(request):
            raise PermissionDenied
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        preview = None
        if request.method == "POST" and "_apply" in request.POST:
            pending = request.session.pop(IMPORT_SESSION_KEY, None)
            if not pending or pending.get("item_type") != self.item_type:
                self.message_user(request, "The preview expired; upload the file again.", messages.WARNING)
                return HttpResponseRedirect(request.path)
            if pending.get("warnings") and not request.POST.get("confirm_warnings"):
                self.message_user(
                    request,
                    f"{pending['warnings']} row(s) carry warnings: nothing was saved. Upload the file again, check "
                    "the warnings and tick the box to apply anyway.",
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.path)
            count = apply_import(self.item_type, pending["changes"], user=request.user)
            self.message_user(request, f"{count} item(s) changed; the overrides will be pushed to ServiceTitan.")
            return HttpResponseRedirect(changelist)
        form = ImportForm(request.POST or None, request.FILES or None, initial={"item_type": self.item_type})
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                preview = preview_import(self.item_type, upload.name, upload.read())
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                request.session[IMPORT_SESSION_KEY] = {
                    "item_type": self.item_type,
                    "changes": preview.to_session(),
                    "warnings": len(preview.with_warnings),
                }
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import {opts.verbose_name_plural} from CSV or Excel",
            "opts": opts,
            "form": form,
            "preview": preview,
            "changelist_url": changelist,
        }
        return TemplateResponse(request, "admin/pricebook/import.html", context)


@admin.register(Material)
class MaterialAdmin(ItemCreateAdminMixin, VendorCostsMixin, PricebookItemAdmin):
    item_type = "material"


class LinkedItemsAdminMixin:
    """The item page shows what the item uses as one table (name, quantity, cost, quantity x cost and the roll-up; a
    service's labour too, so the table adds up to the service's cost), not ServiceTitan's `{skuId, quantity}` JSON.
    The table sits in the top panel beside the margins; the record below keeps only the related services."""

    link_json_fields = ("materials", "equipment", "recommendations", "upgrades")

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f not in self.link_json_fields]

    def get_readonly_fields(self, request, obj=None):
        return ("related_services", *super().get_readonly_fields(request, obj))

    def _override_context(self, request, item, override, form):
        return {
            **super()._override_context(request, item, override, form),
            "linked_items": self.linked_items_html(item),
        }

    @admin.display(description="Related services")
    def related_services(self, obj):
        return self._related_services(obj) or "—"

    @staticmethod
    def _related_services(obj):
        """A service's recommendations and upgrades, by name (ServiceTitan lists them as ids)."""
        parts = []
        for label, relation, target in (
            ("Recommends", "recommendation_links", None),
            ("Upgrades to", "upgrade_links", "upgrade"),
        ):
            links = getattr(obj, relation, None)
            if links is None:
                continue
            names = []
            for link in links.all():
                item = getattr(link, target) if target else (link.recommended_service or link.recommended_material)
                if item is None:
                    names.append(format_html("{} (not mirrored yet)", link.target_st_id))
                else:
                    kind = "service" if isinstance(item, Service) else "material"
                    url = reverse(f"admin:pricebook_{kind}_change", args=[item.pk])
                    names.append(format_html('<a href="{}">{}</a>', url, item.name or item.code))
            if names:
                parts.append(format_html("<p>{}: {}</p>", label, format_html_join(", ", "{}", ((n,) for n in names))))
        return format_html_join("", "{}", ((p,) for p in parts))

    def linked_items_html(self, obj):
        if isinstance(obj, Service):
            return self._service_cost_table(obj)
        linked = linked_items(obj)
        if not linked.rows:
            return format_html("<p>{}</p>", "Uses no materials.")
        rows = []
        for row in linked.rows:
            item = row.item
            cost, effective = (item.cost, item.effective_cost) if item is not None else (None, None)
            rows.append(self._line(row.kind, row.st_id, item.pk if item else None, item, row.quantity, cost, effective))
        note = f" ({linked.missing} not mirrored yet, not counted)" if linked.missing else ""
        stored = sum((row.quantity * row.item.cost for row in linked.rows if row.item is not None), Decimal(0))
        return self._linked_table(rows, f"Roll-up: cost of what it uses{note}", stored, linked.total_cost)

    def _service_cost_table(self, service):
        """Labour + each linked material and equipment item = the service's cost (`service_cost_breakdown`: the
        same sum the sync stores as `total_cost`; a pending cost override is shown beside ServiceTitan's)."""
        breakdown = service_cost_breakdown(service)
        pks = {
            (kind, st_id): pk
            for kind in ("material", "equipment")
            for st_id, pk in item_kind(kind)
            .master.objects.filter(
                tenant_id=service.tenant_id,
                st_id__in=[line.st_id for line in breakdown.lines if line.kind == kind and line.mirrored],
            )
            .values_list("st_id", "pk")
        }
        labour = (format_html("{}", "Labour (the service's own cost)"), "", money(service.cost), money(service.cost))
        rows = [labour]
        for line in breakdown.lines:
            item = line if line.mirrored else None
            pk = pks.get((line.kind, line.st_id))
            rows.append(
                self._line(line.kind, line.st_id, pk, item, line.quantity, line.unit_cost, line.effective_unit_cost)
            )
        missing = sum(1 for line in breakdown.lines if not line.mirrored)
        note = f" ({missing} not mirrored yet, counted 0)" if missing else ""
        return self._linked_table(
            rows, f"The service's cost: labour + parts{note}", breakdown.total, breakdown.effective_total
        )

    @staticmethod
    def _line(kind, st_id, pk, item, quantity, cost, effective_cost):
        """One row: (name, quantity, cost, quantity x cost), the pending cost beside ServiceTitan's when it differs."""
        if item is None:
            name = format_html("{} {} (not mirrored yet)", kind.capitalize(), st_id)
        elif pk is None:
            name = format_html('{}: {} <span class="quiet">{}</span>', kind.capitalize(), item.name, item.code)
        else:
            url = reverse(f"admin:pricebook_{kind}_change", args=[pk])
            name = format_html(
                '{}: <a href="{}">{}</a> <span class="quiet">{}</span>', kind.capitalize(), url, item.name, item.code
            )
        quantity = quantity or Decimal(0)

        def with_pending(value, pending):
            if value is None:
                return "—"
            if pending is None or pending == value:
                return money(value)
            return format_html(
                '{} <span class="pb-pending" title="{}">(pending: {})</span>',
                money(value),
                "with a pending cost override",
                money(pending),
            )

        line_cost = None if cost is None else quantity * cost
        line_pending = None if effective_cost is None else quantity * effective_cost
        return (
            name,
            f"{quantity.normalize():f}",
            with_pending(cost, effective_cost),
            with_pending(line_cost, line_pending),
        )

    @staticmethod
    def _linked_table(rows, label, total, effective_total):
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        shown_total = money(total)
        if effective_total != total:
            shown_total = format_html(
                '{} <span class="pb-pending">(with pending costs: {})</span>', money(total), money(effective_total)
            )
        return format_html(
            '<table class="pb-compare pb-linked" id="pb-cost-breakdown"><thead><tr><th>name</th><th>quantity</th>'
            "<th>cost</th><th>quantity × cost</th></tr></thead><tbody>{}</tbody>"
            '<tfoot><tr><th colspan="3">{}</th><th>{}</th></tr></tfoot></table>',
            body,
            label,
            shown_total,
        )


@admin.register(Service)
class ServiceAdmin(ItemCreateAdminMixin, LinkedItemsAdminMixin, PricebookItemAdmin):
    item_type = "service"


@admin.register(Equipment)
class EquipmentAdmin(ItemCreateAdminMixin, LinkedItemsAdminMixin, PricebookItemAdmin):
    item_type = "equipment"


@admin.register(Category)
class CategoryAdmin(OverrideEditingAdmin):
    item_type = "category"
    list_display = ("thumbnail", "shown_name", "path", "category_type", "shown_active", "status")
    list_display_links = ("shown_name",)
    search_fields = ("name", "path", "description")

    def get_list_display(self, request):
        return self.list_display

    def get_list_filter(self, request):
        return ("category_type", OverrideStatusFilter, "active", HasImageFilter, "depth", "deleted")

    def get_urls(self):
        view = self.admin_site.admin_view(self.tree_view)
        return [path("tree/", view, name="pricebook_category_tree"), *super().get_urls()]

    def tree_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Category tree",
            "opts": self.model._meta,
            "categories": category_tree(),
        }
        return TemplateResponse(request, "admin/pricebook/category_tree.html", context)


admin.site.register([RawCategory, RawMaterial, RawService, RawEquipment, RawMarkupTier], RawRecordAdmin)
