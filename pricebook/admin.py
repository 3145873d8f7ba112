"""The pricebook admin for office staff.

Items (materials, services, equipment) and categories are ServiceTitan's: read-only here. Staff change them through
overrides: the item page shows ServiceTitan's values beside the override form; lists show the effective values
(the override while it is not synced) with a status badge. Saving marks the override pending and queues its push.
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from pricebook.admin_pricing import reprice_selected
from pricebook.charts import price_chart_svg
from pricebook.forms import (
    LABELS,
    ImportForm,
    ItemOverrideForm,
    MarkupTierEditForm,
    PricebookOverrideAdminForm,
    PriceChangeForm,
)
from pricebook.health import BY_NAME, apply_check, checks_for, pricebook_health
from pricebook.models import (
    OVERRIDE_COLUMNS,
    Category,
    Equipment,
    MarkupTier,
    MarkupTierEdit,
    Material,
    PricebookOverride,
    PricebookOverrideChange,
    PriceHistory,
    RawCategory,
    RawEquipment,
    RawMarkupTier,
    RawMaterial,
    RawService,
    Service,
    VendorPriceMapping,
)
from pricebook.selectors import (
    EffectiveCost,
    EffectiveValue,
    OverrideStatus,
    category_tree,
    drifted_fields,
    effective_margins,
    effective_values,
    filter_by_category_tree,
    filter_by_override_status,
    get_override,
    history_for,
    item_kind,
    linked_items,
    override_is_effective,
    price_history_for,
    service_cost_breakdown,
    with_effective_values,
)
from pricebook.selectors import item_type_of as item_kind_of
from pricebook.services import markup as markup_services
from pricebook.services import overrides as override_services
from pricebook.services.pricing import UnconfirmedWarnings, apply_price_change, preview_price_change, warnings_of
from pricebook.services.push import push_overrides, refresh_from_servicetitan
from pricebook.services.spreadsheets import (
    ImportFileError,
    apply_import,
    export_rows,
    preview_import,
    write_csv,
    write_xlsx,
)
from pricebook.services.vendor_costs import (
    VendorFileError,
    apply_vendor_costs,
    guess_columns,
    preview_vendor_costs,
    read_price_file,
    remember_columns,
)
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin, ReadOnlyAdminMixin
from servicetitan.client.errors import ServiceTitanError

Status = PricebookOverride.Status
EDIT_PERMISSION = "pricebook.change_pricebookoverride"
IMPORT_SESSION_KEY = "pricebook_import"


# --- Small renderers ------------------------------------------------------------------------------------------------
def status_badge(status: str | None, drifted: bool = False):
    if not status:
        return format_html('<span class="pb-none" title="{}">—</span>', "No override: ServiceTitan's values")
    if status == Status.SYNCED and drifted:
        # Pushed once, but ServiceTitan's value moved since: saying "synced" here would be wrong.
        return format_html(
            '<span class="pb-badge pb-drifted" title="{}">changed in ServiceTitan</span>',
            "Pushed from LAZI, then changed in ServiceTitan: ServiceTitan's value is not this override's any more.",
        )
    return format_html('<span class="pb-badge pb-{}">{}</span>', status, Status(status).label)


def servicetitan_image_url(st_path: str) -> str:
    return f"{reverse('pricebook:servicetitan-image')}?{urlencode({'path': st_path})}"


def override_image_url(override_id: int) -> str:
    return reverse("pricebook:override-image", args=[override_id])


def default_image_path(item) -> str:
    if getattr(item, "default_image_url", ""):
        return item.default_image_url
    if getattr(item, "image_url", ""):
        return item.image_url
    assets = [a for a in getattr(item, "images", None) or [] if isinstance(a, dict) and a.get("type") == "Image"]
    chosen = next((a for a in assets if a.get("isDefault")), assets[0] if assets else None)
    return (chosen or {}).get("url") or ""


def thumbnail_html(url: str, alt: str = "", size: int = 40):
    if not url:
        return format_html('<span class="pb-thumb pb-thumb-empty" title="{}">—</span>', "no image")
    return format_html(
        '<img class="pb-thumb" src="{}" alt="{}" loading="lazy" width="{}" height="{}">', url, alt, size, size
    )


def money(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


def percent(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.1f}%"


def can_edit(request) -> bool:
    return request.user.has_perm(EDIT_PERMISSION)


def push_now(model_admin, request, overrides) -> None:
    """Push these overrides now (failed ones are retried), and tell staff how it went."""
    ids = override_services.requeue(overrides, user=request.user)
    if not ids:
        model_admin.message_user(
            request, "Nothing to push: no pending or failed override among them.", messages.WARNING
        )
        return
    result = push_overrides(ids)
    level = messages.SUCCESS if not (result.failed or result.error or result.conflicts) else messages.WARNING
    model_admin.message_user(request, f"Push: {result.summary()}", level)
    for message in list(result.failed.values())[:10]:
        model_admin.message_user(request, message, messages.ERROR)


# --- Filters --------------------------------------------------------------------------------------------------------
class CategoryTreeFilter(admin.SimpleListFilter):
    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        categories = Category.objects.filter(deleted=False).order_by("path").values_list("pk", "name", "depth")
        return [(str(pk), format_html("{}{}", "\u2003" * depth, name)) for pk, name, depth in categories]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        category = Category.objects.filter(pk=self.value()).first()
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
            return Decimal(str(self.value()).strip().rstrip("%"))
        except (ArithmeticError, ValueError):
            return None

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


# --- Items and categories: read-only mirror + the override form ------------------------------------------------------
class OverrideEditingAdmin(MirrorAdmin):
    """What items and categories share: effective values, the override form on the item page, staff actions."""

    item_type = ""
    change_form_template = "admin/pricebook/item_change_form.html"
    change_list_template = "admin/pricebook/item_change_list.html"
    actions = ("push_selected", "discard_overrides", "refresh_selected")

    class Media:
        css = {"all": ("pricebook/admin.css",)}

    def get_queryset(self, request):
        # Effective values, override status and drift are attached to the rows of the page only (see the selector).
        return with_effective_values(super().get_queryset(request), self.item_type)

    def has_override_permission(self, request):
        return can_edit(request)

    # --- list columns ---
    @admin.display(description="")
    def thumbnail(self, obj):
        if getattr(obj, "override_has_image", False) and obj.override_id:
            return thumbnail_html(override_image_url(obj.override_id), "pending image")
        st_path = default_image_path(obj)
        return thumbnail_html(servicetitan_image_url(st_path) if st_path else "", str(obj))

    @admin.display(description="name", ordering=EffectiveValue("name"))
    def shown_name(self, obj):
        return obj.effective_name

    @admin.display(description="active", boolean=True, ordering=EffectiveValue("active"))
    def shown_active(self, obj):
        return obj.effective_active

    @admin.display(description="status", ordering=OverrideStatus())
    def status(self, obj):
        return status_badge(obj.override_status, getattr(obj, "override_drifted", False))

    # --- the item page ---
    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, unquote(object_id))
        if item is None or not self.has_view_permission(request, item):
            return super().change_view(request, object_id, form_url, extra_context)
        override = get_override(self.item_type, item.st_id, item.tenant_id)
        form = None
        if request.method == "POST":
            if not can_edit(request):
                raise PermissionDenied
            response, form = self._handle_override_post(request, item, override)
            if response is not None:
                return response
            # Invalid form: shown again with its errors. The admin's own view is read-only and must not see a POST.
            request.method = "GET"
        form = form or ItemOverrideForm(item=item, item_type=self.item_type, override=override)
        context = {**(extra_context or {}), **self._override_context(request, item, override, form)}
        return super().change_view(request, object_id, form_url, context)

    def _handle_override_post(self, request, item, override):
        here = request.get_full_path()
        try:
            if "_discard" in request.POST or "_take_servicetitan" in request.POST:
                if override is not None:
                    override_services.discard_override(override, user=request.user)
                    self.message_user(request, "The override was discarded; ServiceTitan's values apply.")
                return HttpResponseRedirect(here), None
            if "_keep_mine" in request.POST and override is not None:
                override_services.keep_mine(override, user=request.user)
                self.message_user(request, "Your values will be pushed over ServiceTitan's change.")
                return HttpResponseRedirect(here), None
            if "_push_now" in request.POST and override is not None:
                push_now(self, request, [override])
                return HttpResponseRedirect(here), None
        except override_services.OverrideError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(here), None
        form = ItemOverrideForm(request.POST, request.FILES, item=item, item_type=self.item_type, override=override)
        if not form.is_valid():
            return None, form
        try:
            saved = override_services.save_override(
                item_type=self.item_type,
                st_id=item.st_id,
                tenant_id=item.tenant_id,
                values=form.override_values(),
                user=request.user,
                base_modified_on=form.cleaned_data.get("base_modified_on"),
                image=form.cleaned_data.get("image"),
                remove_image=form.cleaned_data.get("remove_image", False),
                replace=True,
            )
        except override_services.OverrideError as exc:
            form.add_error(None, str(exc))
            return None, form
        if saved is None:
            self.message_user(request, "Nothing differs from ServiceTitan: no override is kept.")
        else:
            saved.refresh_from_db()
            if saved.status == Status.SYNCED:
                self.message_user(request, "Saved and pushed to ServiceTitan.", messages.SUCCESS)
            elif saved.status == Status.FAILED:
                self.message_user(request, f"Saved, but ServiceTitan refused it: {saved.error_message}", messages.ERROR)
            elif saved.status == Status.CONFLICT:
                self.message_user(request, saved.error_message, messages.WARNING)
            else:
                self.message_user(request, "Saved. The change is pending and will be pushed to ServiceTitan shortly.")
        return HttpResponseRedirect(request.get_full_path()), None

    def _override_context(self, request, item, override, form):
        editable = can_edit(request)
        failed = override is not None and override.status == Status.FAILED
        st_errors = override.field_errors if failed else {}
        effective = effective_values(item, override, item_type=self.item_type)
        rows = []
        for name in form.value_fields:
            st_value = getattr(item, name)
            overridden = getattr(override, f"override_{name}") if override else None
            rows.append(
                {
                    "label": LABELS[name],
                    "servicetitan": money(st_value) if isinstance(st_value, Decimal) else st_value,
                    "servicetitan_raw": st_value,
                    "overridden": overridden is not None and override_is_effective(override),
                    # ServiceTitan refused this value: it is not the item's; shown beside ServiceTitan's message.
                    "refused": (money(overridden) if isinstance(overridden, Decimal) else overridden)
                    if failed and overridden is not None
                    else None,
                    "effective": money(effective[name]) if isinstance(effective[name], Decimal) else effective[name],
                    "field": form[name],
                    "errors": list(form.errors.get(name, [])) + list(st_errors.get(name, [])),
                }
            )
        st_path = default_image_path(item)
        drifted = drifted_fields(item, override, self.item_type)
        price_history = (
            list(price_history_for(self.item_type, item.st_id, item.tenant_id)[:200])
            if self.item_type != "category"
            else []
        )
        extra = {}
        if self.item_type != "category":
            margins = effective_margins(item, self.item_type) if override_is_effective(override) else None
            extra["margins"] = {
                "cost": money(item.total_cost if self.item_type == "service" else item.cost),
                "margin": percent(item.margin_percent),
                "markup": percent(item.markup_percent),
                "cost_missing": item.markup_percent is None,
                "price_missing": item.margin_percent is None,
                "effective_cost": money(margins["cost"]) if margins else None,
                "effective_margin": percent(margins["margin_percent"]) if margins else None,
                "effective_markup": percent(margins["markup_percent"]) if margins else None,
            }
            extra["price_warnings"] = getattr(form, "price_warnings", [])
            extra["confirm_field"] = form["confirm_warnings"]
        if self.item_type == "service":
            extra["cost_breakdown"] = service_cost_breakdown(item)
        return {
            **extra,
            "override_form": form,
            "override": override,
            "override_rows": rows,
            "override_status_badge": status_badge(override.status if override else None, bool(drifted)),
            "override_drifted": [LABELS.get(name, name) for name in drifted],
            "price_history": price_history,
            "price_chart": price_chart_svg(price_history, item),
            "override_general_errors": list(form.non_field_errors()) + list(st_errors.get("__all__", [])),
            "image_errors": list(form.errors.get("image", [])) + list(st_errors.get("image", [])),
            "servicetitan_image": servicetitan_image_url(st_path) if st_path else "",
            "override_image": override_image_url(override.pk) if override and override.override_image_data else "",
            "can_edit_override": editable,
            "override_history": history_for(self.item_type, item.st_id, item.tenant_id)[:50],
            "item_type_label": item_kind(self.item_type).master._meta.verbose_name,
        }

    # --- actions ---
    def _overrides_of(self, queryset):
        keys = list(queryset.values_list("tenant_id", "st_id"))
        st_ids = [st_id for _, st_id in keys]
        return list(PricebookOverride.objects.filter(item_type=self.item_type, st_pricebook_id__in=st_ids))

    @admin.action(description="Push selected overrides to ServiceTitan now", permissions=["override"])
    def push_selected(self, request, queryset):
        push_now(self, request, self._overrides_of(queryset))

    @admin.action(description="Discard overrides of selected (take ServiceTitan's values)", permissions=["override"])
    def discard_overrides(self, request, queryset):
        done, problems = override_services.discard_overrides(self._overrides_of(queryset), user=request.user)
        self.message_user(request, f"{done} override(s) discarded.")
        for problem in problems:
            self.message_user(request, problem, messages.WARNING)

    @admin.action(description="Refresh selected from ServiceTitan", permissions=["override"])
    def refresh_selected(self, request, queryset):
        st_ids = list(queryset.values_list("st_id", flat=True)[:1000])
        try:
            count = refresh_from_servicetitan(self.item_type, st_ids)
        except ServiceTitanError as exc:
            self.message_user(request, f"ServiceTitan could not be reached: {exc}", messages.ERROR)
            return
        self.message_user(request, f"{count} item(s) refreshed from ServiceTitan.")

    # --- extra pages ---
    def changelist_view(self, request, extra_context=None):
        extra = {"can_edit_override": can_edit(request), "item_type": self.item_type, **(extra_context or {})}
        return super().changelist_view(request, extra)


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
        qs = super().get_queryset(request).prefetch_related("categories")
        # A service's cost is its rolled-up total (no cost override); materials/equipment have `effective_cost`.
        return qs.annotate(effective_cost=F("total_cost")) if self.item_type == "service" else qs

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


VENDOR_SESSION_KEY = "pricebook_vendor_costs"
VENDOR_FILE_LIMIT = 20 * 1024 * 1024
PREVIEW_ROWS = 500


class VendorCostsMixin:
    """The vendor price file upload of the materials list: upload → map the columns (remembered per vendor) →
    preview (old → new cost, unmatched, ambiguous, invalid rows) → confirm (cost overrides). Nothing is written
    before the confirmation."""

    def vendor_costs_view(self, request):
        if not can_edit(request):
            raise PermissionDenied
        stored = request.session.get(VENDOR_SESSION_KEY)
        error = None
        if request.method == "POST" and "_upload" in request.POST:
            upload, vendor = request.FILES.get("file"), request.POST.get("vendor", "").strip()
            if upload is None or not vendor:
                error = "Choose the vendor and the price file."
            elif upload.size > VENDOR_FILE_LIMIT:
                error = f"The file is larger than {VENDOR_FILE_LIMIT // 1024 // 1024} MB."
            else:
                content = upload.read()
                try:
                    read_price_file(upload.name, content)
                except VendorFileError as exc:
                    error = str(exc)
                else:
                    stored = {"vendor": vendor, "filename": upload.name, "content": b64encode(content).decode()}
                    request.session[VENDOR_SESSION_KEY] = stored
        elif request.method == "POST" and stored is None:
            error = "The upload expired; upload the file again."
        preview = headers = columns = None
        if stored and not error:
            headers, grid = read_price_file(stored["filename"], b64decode(stored["content"]))
            if request.method == "POST" and ("_remap" in request.POST or "_confirm" in request.POST):
                columns = {role: request.POST.get(f"column_{role}", "") for role in VendorPriceMapping.ROLES}
                columns = {role: header for role, header in columns.items() if header in headers}
            else:
                columns = guess_columns(headers, stored["vendor"])
            try:
                preview = preview_vendor_costs(stored["vendor"], headers, grid, columns)
            except VendorFileError as exc:
                error = str(exc)
            if preview is not None and request.method == "POST" and "_confirm" in request.POST:
                remember_columns(stored["vendor"], columns, request.user)
                applied = apply_vendor_costs(preview, user=request.user)
                request.session.pop(VENDOR_SESSION_KEY, None)
                self.message_user(
                    request,
                    f"{len(applied.override_ids)} cost override(s) from {stored['vendor']}'s price file; they will be "
                    "pushed to ServiceTitan (the vendor's cost on each item too).",
                    messages.SUCCESS,
                )
                if applied.batch is not None and applied.batch.rows.exists():
                    self.message_user(
                        request,
                        f"Reprice #{applied.batch.pk} proposes new prices from these costs; it waits for approval.",
                        messages.INFO,
                    )
                    return HttpResponseRedirect(reverse("admin:pricebook_repricebatch_change", args=[applied.batch.pk]))
                return HttpResponseRedirect(reverse("admin:pricebook_material_changelist") + "?override_status=pending")
        if "_start_over" in request.POST:
            request.session.pop(VENDOR_SESSION_KEY, None)
            return HttpResponseRedirect(request.path)
        vendors = sorted(
            set(VendorPriceMapping.objects.values_list("vendor_name", flat=True))
            | set(Material.objects.exclude(vendor_name="").values_list("vendor_name", flat=True).distinct()[:2000])
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Vendor price file",
            "opts": self.model._meta,
            "error": error,
            "stored": stored,
            "vendors": vendors,
            "headers": headers,
            "columns": columns,
            "roles": [(role, ROLE_LABELS[role], (columns or {}).get(role, "")) for role in VendorPriceMapping.ROLES],
            "preview": preview,
            "counts": preview.counts() if preview else None,
            "changed": preview.changed[:PREVIEW_ROWS] if preview else [],
            "limit": PREVIEW_ROWS,
        }
        return TemplateResponse(request, "admin/pricebook/vendor_costs.html", context)


ROLE_LABELS = {
    "vendor_part": "Vendor part number",
    "cost": "Cost",
    "code": "Item code (optional)",
    "description": "Description (optional)",
    "unit": "Unit (optional)",
}


@admin.register(Material)
class MaterialAdmin(VendorCostsMixin, PricebookItemAdmin):
    item_type = "material"


class LinkedItemsAdminMixin:
    """The item page shows what the item uses as a table (name, quantity, cost, roll-up), not ServiceTitan's
    `{skuId, quantity}` JSON."""

    link_json_fields = ("materials", "equipment", "recommendations", "upgrades")

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f not in self.link_json_fields]

    def get_readonly_fields(self, request, obj=None):
        return ("linked_items_table", *super().get_readonly_fields(request, obj))

    @admin.display(description="Uses")
    def linked_items_table(self, obj):
        linked = linked_items(obj)
        if not linked.rows:
            return format_html("{}{}", "Nothing linked.", self._related_services(obj))
        rows = []
        for row in linked.rows:
            if row.item is not None:
                url = reverse(f"admin:pricebook_{row.kind}_change", args=[row.item.pk])
                name = format_html(
                    '<a href="{}">{}</a> <span class="quiet">{}</span>', url, row.item.name, row.item.code
                )
            else:
                name = format_html("{} {} (not mirrored yet)", row.kind, row.st_id)
            rows.append((name, row.kind, f"{row.quantity.normalize():f}", money(row.unit_cost), money(row.line_cost)))
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        note = f" ({linked.missing} not mirrored yet, not counted)" if linked.missing else ""
        table = self._linked_table(linked, body, note)
        return format_html("{}{}", table, self._related_services(obj))

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

    @staticmethod
    def _linked_table(linked, body, note):
        return format_html(
            '<table class="pb-linked"><thead><tr><th>name</th><th>kind</th><th>quantity</th><th>cost</th>'
            '<th>line cost</th></tr></thead><tbody>{}</tbody><tfoot><tr><th colspan="4">Roll-up: cost of what'
            " it uses{}</th><th>{}</th></tr></tfoot></table>",
            body,
            note,
            money(linked.total_cost),
        )


@admin.register(Service)
class ServiceAdmin(LinkedItemsAdminMixin, PricebookItemAdmin):
    item_type = "service"


@admin.register(Equipment)
class EquipmentAdmin(LinkedItemsAdminMixin, PricebookItemAdmin):
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


# --- Overrides themselves --------------------------------------------------------------------------------------------
class HistoryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PricebookOverrideChange
    fields = ("at", "user", "action", "change", "message")
    readonly_fields = fields
    extra = 0
    ordering = ("-at", "-id")
    verbose_name_plural = "history"

    @admin.display(description="before → after")
    def change(self, obj):
        return describe_change(obj)


def describe_change(entry: PricebookOverrideChange):
    keys = sorted(set(entry.before) | set(entry.after))
    parts = [
        (k, entry.before.get(k, "—"), entry.after.get(k, "—"))
        for k in keys
        if entry.before.get(k) != entry.after.get(k)
    ]
    if not parts:
        return "—"
    return format_html_join(mark_safe("<br>"), "{}: {} → {}", parts)


@admin.register(PricebookOverride)
class PricebookOverrideAdmin(admin.ModelAdmin):
    form = PricebookOverrideAdminForm
    list_display = (
        "item_link",
        "item_type",
        "changes",
        "status_badge",
        "short_error",
        "changed_by",
        "changed_at",
        "last_synced_at",
    )
    list_filter = ("status", "item_type", "pending_sync")
    search_fields = ("=st_pricebook_id", "override_name", "error_message")
    readonly_fields = (
        "status_badge",
        "pending_sync",
        "servicetitan_message",
        "base_modified_on",
        "changed_by",
        "changed_at",
        "last_synced_at",
        "uploaded_image_path",
        "image_preview",
    )
    inlines = (HistoryInline,)
    actions = ("push_selected", "keep_mine_selected", "discard_selected")
    list_per_page = 100

    class Media:
        css = {"all": ("pricebook/admin.css",)}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("item_type", "st_pricebook_id", *self.readonly_fields)
        return ()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def get_fieldsets(self, request, obj=None):
        values = (*OVERRIDE_COLUMNS, "image", "confirm_warnings")
        if obj is None:
            return ((None, {"fields": ("item_type", "st_pricebook_id")}), ("Override", {"fields": values}))
        return (
            (None, {"fields": ("item_type", "st_pricebook_id", "status_badge", "servicetitan_message")}),
            ("Override", {"fields": (*values, "remove_image", "image_preview")}),
            (
                "Push",
                {"fields": ("base_modified_on", "changed_by", "changed_at", "last_synced_at", "uploaded_image_path")},
            ),
        )

    @admin.display(description="item")
    def item_link(self, obj):
        kind = item_kind(obj.item_type)
        item = kind.master.objects.filter(tenant_id=obj.tenant_id, st_id=obj.st_pricebook_id).first()
        if item is None:
            return f"{obj.item_type} {obj.st_pricebook_id} (not mirrored)"
        opts = kind.master._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])
        return format_html('<a href="{}">{}</a>', url, str(item))

    @admin.display(description="overridden")
    def changes(self, obj):
        values = override_services.snapshot(obj)
        return ", ".join(f"{k}: {v}" for k, v in values.items())[:200] or "—"

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status)

    @admin.display(description="ServiceTitan's message")
    def short_error(self, obj):
        return (obj.error_message or "")[:160]

    @admin.display(description="ServiceTitan's message")
    def servicetitan_message(self, obj):
        return obj.error_message or "—"

    @admin.display(description="image")
    def image_preview(self, obj):
        if obj.override_image_data:
            return thumbnail_html(override_image_url(obj.pk), "pending image", size=120)
        if obj.uploaded_image_path:
            return thumbnail_html(servicetitan_image_url(obj.uploaded_image_path), "uploaded image", size=120)
        return "—"

    def save_model(self, request, obj, form, change):
        saved = override_services.save_override(
            item_type=form.cleaned_data["item_type"] if not change else obj.item_type,
            st_id=form.cleaned_data["st_pricebook_id"] if not change else obj.st_pricebook_id,
            values=form.override_values() if not change else self._changed_values(form, obj),
            user=request.user,
            image=form.cleaned_data.get("image"),
            remove_image=form.cleaned_data.get("remove_image", False),
            replace=True,
        )
        if saved is not None:
            obj.pk = saved.pk
            obj.refresh_from_db()

    @staticmethod
    def _changed_values(form, obj):
        return {f.name: form.cleaned_data.get(f.override) for f in obj.fields}

    def save_related(self, request, form, formsets, change):
        # The history is written by the service, never through the (read-only) inline.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        override_services.discard_override(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        override_services.discard_overrides(list(queryset), user=request.user)

    @admin.action(description="Push selected now", permissions=["change"])
    def push_selected(self, request, queryset):
        push_now(self, request, list(queryset))

    @admin.action(description="Keep mine (push over ServiceTitan's change)", permissions=["change"])
    def keep_mine_selected(self, request, queryset):
        done = 0
        for override in queryset.filter(status=Status.CONFLICT):
            override_services.keep_mine(override, user=request.user)
            done += 1
        self.message_user(request, f"{done} conflict(s) resolved with your values; they will be pushed.")

    @admin.action(description="Take ServiceTitan's (discard selected)", permissions=["delete"])
    def discard_selected(self, request, queryset):
        done, problems = override_services.discard_overrides(list(queryset), user=request.user)
        self.message_user(request, f"{done} override(s) discarded.")
        for problem in problems:
            self.message_user(request, problem, messages.WARNING)


@admin.register(PricebookOverrideChange)
class PricebookOverrideChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user", "item_type", "st_pricebook_id", "action", "change", "message")
    list_filter = ("action", "item_type")
    search_fields = ("=st_pricebook_id", "message", "user__username")
    date_hierarchy = "at"
    list_per_page = 100

    @admin.display(description="before → after")
    def change(self, obj):
        return describe_change(obj)


@admin.register(VendorPriceMapping)
class VendorPriceMappingAdmin(admin.ModelAdmin):
    list_display = ("vendor_name", "columns", "updated_by", "updated_at")
    search_fields = ("vendor_name",)
    readonly_fields = ("updated_by", "updated_at")


@admin.register(PriceHistory)
class PriceHistoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("changed_at", "item_type", "st_pricebook_id", "field", "old_value", "new_value", "source", "who")
    list_filter = ("source", "field", "item_type")
    search_fields = ("=st_pricebook_id",)
    date_hierarchy = "changed_at"
    list_per_page = 100
    list_select_related = ("changed_by",)

    @admin.display(description="by")
    def who(self, obj):
        return obj.changed_by or ("ServiceTitan" if obj.source == PriceHistory.Source.SYNC else "—")


def health_view(request):
    """The "Pricebook health" page: one line per check, its count and a link to the filtered list."""
    if not request.user.has_module_perms("pricebook"):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": "Pricebook health",
        "lines": pricebook_health(),
    }
    return TemplateResponse(request, "admin/pricebook/health.html", context)


# --- ServiceTitan's markup table -------------------------------------------------------------------------------------
def push_tier_edits(model_admin, request, ids) -> None:
    result = markup_services.push_markup_edits(ids, include_failed=True)
    level = messages.SUCCESS if not (result.failed or result.retry) else messages.WARNING
    model_admin.message_user(request, f"Markup table: {result.summary()}.", level)
    for message in result.failed.values():
        model_admin.message_user(request, message, messages.ERROR)


@admin.register(MarkupTier)
class MarkupTierAdmin(MirrorAdmin):
    """ServiceTitan's table as it has it, with staff's edits not accepted yet beside each tier."""

    list_display = ("shown_from", "shown_to", "shown_percent", "pending_edit")
    list_display_links = ("shown_from",)
    ordering = ("from_cost", "st_id")
    change_list_template = "admin/pricebook/markup_tier_change_list.html"

    def changelist_view(self, request, extra_context=None):
        edits = MarkupTierEdit.objects.order_by("from_cost", "pk")
        self._edits = {edit.tier_st_id: edit for edit in edits if edit.tier_st_id is not None}
        extra = {
            "new_tier_edits": [edit for edit in edits if edit.tier_st_id is None],
            "can_edit_tiers": request.user.has_perm("pricebook.add_markuptieredit"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    @admin.display(description="from", ordering="from_cost")
    def shown_from(self, obj):
        return f"{obj.from_cost:,.2f}"

    @admin.display(description="to", ordering="to_cost")
    def shown_to(self, obj):
        return f"{obj.to_cost:,.2f}"

    @admin.display(description="markup %", ordering="percent")
    def shown_percent(self, obj):
        return f"{obj.percent.normalize():f}%"

    @admin.display(description="your edit")
    def pending_edit(self, obj):
        edit = getattr(self, "_edits", {}).get(obj.st_id)
        add = reverse("admin:pricebook_markuptieredit_add")
        if edit is None:
            return format_html('<a href="{}?tier_st_id={}">Edit</a>', add, obj.st_id)
        url = reverse("admin:pricebook_markuptieredit_change", args=[edit.pk])
        return format_html(
            '<a href="{}">{}</a> {}{}',
            url,
            f"{edit.from_cost:,.2f}-{edit.to_cost:,.2f}: {edit.percent.normalize():f}%",
            status_badge(edit.status)
            if edit.status == "failed"
            else format_html('<span class="pb-badge pb-pending">pending</span>'),
            format_html('<br><span class="pb-problem">{}</span>', edit.error_message) if edit.error_message else "",
        )


@admin.register(MarkupTierEdit)
class MarkupTierEditAdmin(admin.ModelAdmin):
    """Staff's edits of the markup table: saved, checked as a whole table, and pushed to ServiceTitan at once."""

    form = MarkupTierEditForm
    list_display = ("__str__", "status", "error_message", "changed_by", "changed_at")
    list_filter = ("status",)
    readonly_fields = ("status", "error_message", "changed_by", "changed_at")
    actions = ("push_selected",)

    class Media:
        css = {"all": ("pricebook/admin.css",)}

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        tier = MarkupTier.objects.filter(st_id=request.GET.get("tier_st_id") or 0).first()
        if tier is not None:
            initial.update(from_cost=tier.from_cost, to_cost=tier.to_cost, percent=tier.percent)
        return initial

    def save_model(self, request, obj, form, change):
        edit = markup_services.save_tier_edit(
            tenant_id=form.tenant_id,
            tier_st_id=obj.tier_st_id if change else form.cleaned_data.get("tier_st_id"),
            from_cost=form.cleaned_data["from_cost"],
            to_cost=form.cleaned_data["to_cost"],
            percent=form.cleaned_data["percent"],
            user=request.user,
        )
        if edit is None:
            self.message_user(request, "These are ServiceTitan's values already: nothing to push.")
            return
        obj.pk = edit.pk
        push_tier_edits(self, request, [edit.pk])

    def save_related(self, request, form, formsets, change):
        return None

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:pricebook_markuptier_changelist"))

    def response_change(self, request, obj):
        return HttpResponseRedirect(reverse("admin:pricebook_markuptier_changelist"))

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # The admin's own "was added successfully" would be wrong when ServiceTitan refused it.
        if "was added successfully" in str(message) or "was changed successfully" in str(message):
            return
        super().message_user(request, message, level, *args, **kwargs)

    @admin.action(description="Push selected edits to ServiceTitan now", permissions=["change"])
    def push_selected(self, request, queryset):
        push_tier_edits(self, request, list(queryset.values_list("pk", flat=True)))


admin.site.register([RawCategory, RawMaterial, RawService, RawEquipment, RawMarkupTier], RawRecordAdmin)
