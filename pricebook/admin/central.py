"""The admin of the central pricebook: the source and its subscriptions (locked fields, policy), the mapping review
(counts and lists per status), the batches each tenant decides on, the audit of every change, and "fan out now" with
its preview.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from pricebook.models import (
    CentralBatch,
    CentralChange,
    CentralMapping,
    CentralPricebook,
    CentralSubscription,
)
from pricebook.models_central import LOCKABLE_FIELDS
from pricebook.services import central
from tenants.models import Tenant


class SubscriptionForm(forms.ModelForm):
    locked_fields = forms.MultipleChoiceField(
        choices=LOCKABLE_FIELDS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=(
            "These fields follow the central value; the others stay the tenant's own. The image: the source's default "
            "image is read from the source tenant and uploaded to this tenant by its push (ServiceTitan keeps images "
            "per tenant), once per central image. The categories: matched by category path (ids differ per tenant); "
            "an item whose central category this tenant lacks is left out, and the mapping review lists the "
            "categories missing here."
        ),
    )

    class Meta:
        model = CentralSubscription
        fields = ("central", "tenant", "locked_fields", "policy", "active")


class AcrossTenantsAdmin(admin.ModelAdmin):
    """The central pricebook's own set-up spans tenants (its source, every target, the codes on both sides): for
    superusers only, like the tenants themselves. Batches and the audit belong to one tenant each and are scoped."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class SubscriptionInline(admin.TabularInline):
    model = CentralSubscription
    form = SubscriptionForm
    extra = 0
    fields = ("tenant", "locked_fields", "policy", "active", "mapping_confirmed_at")
    readonly_fields = ("mapping_confirmed_at",)


@admin.register(CentralPricebook)
class CentralPricebookAdmin(AcrossTenantsAdmin):
    list_display = ("name", "source_tenant", "active", "subscriptions_count", "fan_out_link")
    inlines = [SubscriptionInline]
    actions = ["refresh_mappings"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_subscriptions=Count("subscriptions"))

    @admin.display(description="target tenants", ordering="n_subscriptions")
    def subscriptions_count(self, obj):
        return obj.n_subscriptions

    @admin.display(description="fan out")
    def fan_out_link(self, obj):
        url = reverse("admin:pricebook_centralpricebook_fanout", args=[obj.pk])
        return format_html('<a href="{}">Preview and fan out now…</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/fan-out/",
                self.admin_site.admin_view(self.fan_out_view),
                name="pricebook_centralpricebook_fanout",
            ),
            *super().get_urls(),
        ]

    @admin.action(description="Refresh the mapping review of every subscription")
    def refresh_mappings(self, request, queryset):
        for book in queryset:
            for subscription in book.subscriptions.select_related("tenant", "central__source_tenant"):
                counts = central.refresh_mapping(subscription)
                self.message_user(request, f"{subscription}: " + _review_text(subscription, counts))

    def fan_out_view(self, request, pk):
        """The preview per target tenant; "Fan out now" (a POST) creates the batches."""
        book = self.get_object(request, str(pk))
        if book is None or not self.has_view_permission(request, book):
            raise PermissionDenied
        if request.method == "POST":
            if not request.user.has_perm("pricebook.add_centralbatch"):
                raise PermissionDenied
            try:
                result = central.fan_out(book, user=request.user)
            except central.CentralError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                totals = result.totals
                self.message_user(
                    request,
                    f"Fanned out: {totals['changes']} change(s) of {totals['items']} item(s) to "
                    f"{totals['tenants']} tenant(s); {totals['skipped']} skipped.",
                    messages.SUCCESS,
                )
                for plan in result.plans:
                    self.message_user(request, plan.line())
            return HttpResponseRedirect(reverse("admin:pricebook_centralbatch_changelist"))
        preview = central.preview_fan_out(book)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Fan out {book}",
            "opts": self.model._meta,
            "book": book,
            "preview": preview,
            "plans": [(plan, plan.line(), plan.changes[:50]) for plan in preview.plans],
            "can_fan_out": request.user.has_perm("pricebook.add_centralbatch"),
        }
        return TemplateResponse(request, "admin/pricebook/central_fanout.html", context)


def _counts_text(counts: dict) -> str:
    return ", ".join(f"{CentralMapping.Status(status).label} {n}" for status, n in counts.items())


def _review_text(subscription, counts: dict) -> str:
    """The items' counts, then the central categories the target lacks (by path)."""
    text = _counts_text(counts)
    missing = central.missing_categories(subscription, limit=10)
    if missing:
        text += f"; categories missing in the target: {', '.join(missing)}"
    return text


@admin.register(CentralSubscription)
class CentralSubscriptionAdmin(AcrossTenantsAdmin):
    form = SubscriptionForm
    list_display = (
        "tenant",
        "central",
        "policy",
        "locked",
        "active",
        "matched",
        "missing",
        "clash",
        "categories_missing",
        "mapping_confirmed_at",
    )
    list_filter = ("central", "policy", "active")
    actions = ["refresh_mapping", "confirm_mapping"]
    readonly_fields = ("mapping_refreshed_at", "mapping_confirmed_at", "mapping_confirmed_by")

    def get_queryset(self, request):
        items = ~Q(mappings__item_type=central.CATEGORY)
        counts = {
            status: Count("mappings", filter=Q(mappings__status=status) & items)
            for status in CentralMapping.Status.values
        }
        counts["n_categories_missing"] = Count(
            "mappings",
            filter=Q(mappings__item_type=central.CATEGORY) & ~Q(mappings__status=CentralMapping.Status.MATCHED),
        )
        return super().get_queryset(request).select_related("tenant", "central").annotate(**counts)

    @admin.display(description="locked fields")
    def locked(self, obj):
        return ", ".join(obj.locked_fields) or "—"

    def _mapping_link(self, obj, status):
        url = reverse("admin:pricebook_centralmapping_changelist")
        return format_html(
            '<a href="{}?subscription__id__exact={}&status__exact={}">{}</a>', url, obj.pk, status, getattr(obj, status)
        )

    @admin.display(description="matched", ordering="matched")
    def matched(self, obj):
        return self._mapping_link(obj, "matched")

    @admin.display(description="missing in target", ordering="missing")
    def missing(self, obj):
        return self._mapping_link(obj, "missing")

    @admin.display(description="code clash", ordering="clash")
    def clash(self, obj):
        return self._mapping_link(obj, "clash")

    @admin.display(description="categories missing in target", ordering="n_categories_missing")
    def categories_missing(self, obj):
        url = reverse("admin:pricebook_centralmapping_changelist")
        return format_html(
            '<a href="{}?subscription__id__exact={}&item_type__exact={}&status__exact=missing">{}</a>',
            url,
            obj.pk,
            central.CATEGORY,
            obj.n_categories_missing,
        )

    @admin.action(description="Refresh the mapping review")
    def refresh_mapping(self, request, queryset):
        for subscription in queryset.select_related("tenant", "central__source_tenant"):
            counts = central.refresh_mapping(subscription)
            self.message_user(request, f"{subscription}: " + _review_text(subscription, counts))

    @admin.action(description="Confirm the mapping review (fan-outs reach these tenants)")
    def confirm_mapping(self, request, queryset):
        for subscription in queryset:
            try:
                central.confirm_mapping(subscription, user=request.user)
            except central.CentralError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"{subscription}: mapping review confirmed.", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CentralMapping)
class CentralMappingAdmin(AcrossTenantsAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    list_display = ("code", "item_type", "status", "subscription", "source_st_id", "target_st_id", "counts")
    list_filter = ("status", "item_type", "subscription")
    search_fields = ("code",)
    list_select_related = ("subscription__tenant", "subscription__central")

    @admin.display(description="items (source / target)")
    def counts(self, obj):
        return f"{obj.source_count} / {obj.target_count}"


class TenantFilter(admin.SimpleListFilter):
    title = "tenant"
    parameter_name = "tenant_id"

    def lookups(self, request, model_admin):
        return [(str(t.st_tenant_id), t.name) for t in Tenant.objects.order_by("name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(tenant_id=int(value))
        return queryset


@admin.register(CentralBatch)
class CentralBatchAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "subscription", "policy", "status", "change_count", "decided_by", "decided_at")
    list_filter = (TenantFilter, "status", "policy")
    list_select_related = ("subscription__tenant", "subscription__central", "decided_by")
    actions = ["approve", "dismiss"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_changes=Count("changes"))

    @admin.display(description="changes", ordering="n_changes")
    def change_count(self, obj):
        url = reverse("admin:pricebook_centralchange_changelist")
        return format_html('<a href="{}?batch__id__exact={}">{}</a>', url, obj.pk, obj.n_changes)

    def _decide(self, request, queryset, decide, done: str):
        for batch in queryset:
            try:
                decide(batch, user=request.user)
            except central.CentralError as exc:
                self.message_user(request, f"Batch #{batch.pk}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"Batch #{batch.pk}: {done}.", messages.SUCCESS)

    @admin.action(description="Approve (apply the central values; the push follows)")
    def approve(self, request, queryset):
        self._decide(request, queryset, central.approve_batch, "applied, the push is queued")

    @admin.action(description="Dismiss (kept in the audit, re-appliable)")
    def dismiss(self, request, queryset):
        self._decide(request, queryset, central.dismiss_batch, "dismissed")


@admin.register(CentralChange)
class CentralChangeAdmin(ReadOnlyAdmin):
    """The audit: per tenant and field, what was proposed, applied, dismissed or re-applied, by whom."""

    list_display = (
        "created_at",
        "tenant_id",
        "item_type",
        "code",
        "field",
        "target_value",
        "central_value",
        "outcome",
        "decided_by",
        "decided_at",
        "note",
    )
    list_filter = (TenantFilter, "field", "outcome", "item_type")
    search_fields = ("code",)
    list_select_related = ("decided_by",)
    actions = ["reapply"]

    @admin.action(description="Re-apply the dismissed changes selected")
    def reapply(self, request, queryset):
        try:
            ids = central.reapply_changes(list(queryset), user=request.user)
        except central.CentralError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"Re-applied: {len(ids)} item(s) pending, the push is queued.", messages.SUCCESS)
