"""Overrides themselves: their list and page, their history, and ServiceTitan's price history."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from pricebook.admin.columns import override_image_url, servicetitan_image_url, status_badge, thumbnail_html
from pricebook.admin.editing import push_now
from pricebook.forms import (
    PricebookOverrideAdminForm,
)
from pricebook.models import (
    OVERRIDE_COLUMNS,
    PricebookOverride,
    PricebookOverrideChange,
    PriceHistory,
)
from pricebook.selectors import (
    item_kind,
)
from pricebook.services import overrides as override_services
from servicetitan.admin_base import ReadOnlyAdminMixin

Status = PricebookOverride.Status


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
        # The item the form checked (of the override's tenant: the same st_id may be another tenant's item).
        item = getattr(form, "item", None)
        saved = override_services.save_override(
            item_type=form.cleaned_data["item_type"] if not change else obj.item_type,
            st_id=form.cleaned_data["st_pricebook_id"] if not change else obj.st_pricebook_id,
            tenant_id=item.tenant_id if item is not None else obj.tenant_id,
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
