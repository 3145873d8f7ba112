"""ServiceTitan's markup table and staff's edits of it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from pricebook.admin.columns import status_badge
from pricebook.forms import (
    MarkupTierEditForm,
)
from pricebook.models import (
    MarkupTier,
    MarkupTierEdit,
)
from pricebook.services import markup as markup_services
from servicetitan.admin_base import MirrorAdmin
from servicetitan.conversions import plain_id
from tenants.access import scope_queryset
from tenants.admin_scope import admin_scope


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
        edits = scope_queryset(MarkupTierEdit.objects.order_by("from_cost", "pk"), admin_scope(request))
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
        # A hand-edited link (text, a number past 64 bits) prefills nothing rather than failing the page.
        tiers = MarkupTier.objects.filter(st_id=plain_id(request.GET.get("tier_st_id") or "") or 0)
        tier = scope_queryset(tiers, admin_scope(request)).first()
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
