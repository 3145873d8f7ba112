"""The admin of pricing from cost: pricing rules, the "Reprice" page and reprice batches (preview, approve, discard).

A reprice is previewed as a proposed batch: its page shows the totals and every row (prices now and new, margins, the
rule and why, flags with their reasons). Members of "Pricebook approvers" approve all rows, all but the flagged ones
or the rows they tick; only then do the new prices become overrides pushed to ServiceTitan. A proposal can be
discarded. Item lists have an action to reprice the items selected.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from pricebook.models import Category, PricingRule, RepriceBatch, RepriceRow
from pricebook.selectors import item_kind, item_type_of, with_sold_90_days
from pricebook.services import reprice
from pricebook.services.rules import FLAG_LABELS
from servicetitan.conversions import plain_id
from tenants.admin_scope import admin_scope

ROWS_SHOWN = 1000
TARGET_CHOICES = (
    ("pricebook", "Materials, services and equipment"),
    ("pricebook.materials", "Materials"),
    ("pricebook.services", "Services"),
    ("pricebook.equipment", "Equipment"),
)


def category_choices(tenant_id: int | None, blank: str):
    qs = Category.objects.filter(deleted=False).order_by("path")
    if tenant_id is not None:
        qs = qs.filter(tenant_id=tenant_id)
    return [("", blank), *((c.st_id, c.path or c.name) for c in qs)]


def _tenant_or_none():
    try:
        return reprice.default_tenant_id()
    except reprice.RepriceError:
        return None


# --- Pricing rules ----------------------------------------------------------------------------------------------------
class PricingRuleForm(forms.ModelForm):
    category_st_id = forms.TypedChoiceField(
        label="Category", coerce=int, empty_value=None, required=False, help_text="Its subcategories are included."
    )

    class Meta:
        model = PricingRule
        fields = (
            "name",
            "item_type",
            "category_st_id",
            "markup",
            "markup_percent",
            "labor_rate",
            "progressive_after_hours",
            "progressive_rate",
            "materials_markup",
            "add_on_rate",
            "member_discount_percent",
            "add_on_percent",
            "rounding",
            "min_margin_percent",
            "max_change_percent",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.tenant_id is None:
            self.instance.tenant_id = _tenant_or_none()
        self.fields["category_st_id"].choices = category_choices(
            self.instance.tenant_id, "Every category (the default rule)"
        )

    def clean(self):
        cleaned = super().clean()
        if self.instance.tenant_id is None:
            raise forms.ValidationError("No tenant is configured: set SERVICE_TITAN_TENANT_ID.")
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # The one-rule-per-category constraints include the tenant, which is not on the form: check them here.
        try:
            self.instance.validate_constraints()
        except forms.ValidationError as exc:
            self._update_errors(exc)


@admin.register(PricingRule)
class PricingRuleAdmin(admin.ModelAdmin):
    form = PricingRuleForm
    list_display = ("name", "item_type", "category", "markup_text", "rounding", "min_margin_percent", "tolerance")
    list_filter = ("item_type", "markup", "rounding")
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "item_type", "category_st_id")}),
        ("Markup (materials, equipment, a service's parts)", {"fields": ("markup", "markup_percent")}),
        (
            "Services",
            {
                "fields": (
                    "labor_rate",
                    "progressive_after_hours",
                    "progressive_rate",
                    "materials_markup",
                    "add_on_rate",
                ),
                "description": "Price = hours × rate (the first hours at the rate, the rest at the progressive rate) "
                "+ the materials and equipment marked up.",
            },
        ),
        ("Member and add-on prices", {"fields": ("member_discount_percent", "add_on_percent")}),
        ("Rounding and guardrails", {"fields": ("rounding", "min_margin_percent", "max_change_percent")}),
    )

    @admin.display(description="category")
    def category(self, obj):
        if obj.category_st_id is None:
            return "Every category"
        found = Category.objects.filter(tenant_id=obj.tenant_id, st_id=obj.category_st_id).first()
        return found.path if found else f"#{obj.category_st_id} (not in the mirror)"

    @admin.display(description="markup")
    def markup_text(self, obj):
        return f"{obj.markup_percent:g}%" if obj.markup == "percent" else "ServiceTitan's markup table"

    @admin.display(description="tolerance %")
    def tolerance(self, obj):
        return obj.max_change_percent


# --- The "Reprice" page and the batches -----------------------------------------------------------------------------
class RepriceForm(forms.Form):
    target = forms.ChoiceField(label="Items", choices=TARGET_CHOICES)
    category = forms.TypedChoiceField(label="Category", coerce=int, empty_value=None, required=False)

    def __init__(self, *args, tenant_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(tenant_id, "Every category")


@admin.register(RepriceBatch)
class RepriceBatchAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "what", "changed", "flagged", "margin", "created_by", "created_at")
    list_filter = ("status",)
    list_display_links = ("__str__",)
    date_hierarchy = "created_at"

    class Media:
        css = {"all": ("pricebook/admin.css",)}

    @admin.display(description="items")
    def what(self, obj):
        parts = [", ".join(obj.targets) or "everything"]
        if obj.category_st_id:
            parts.append(f"category {obj.category_st_id}")
        if obj.st_ids:
            parts.append(f"{len(obj.st_ids)} chosen")
        return "; ".join(parts)

    @admin.display(description="changed")
    def changed(self, obj):
        return obj.totals.get("changed")

    @admin.display(description="flagged")
    def flagged(self, obj):
        return obj.totals.get("flagged")

    @admin.display(description="margin before → after")
    def margin(self, obj):
        return f"{obj.totals.get('margin_before') or '—'}% → {obj.totals.get('margin_after') or '—'}%"

    def has_change_permission(self, request, obj=None):
        return False  # a batch changes only by approving or discarding it, on its page

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """The "Reprice" page: choose the items, see the preview as a proposed batch."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        scope = admin_scope(request)
        if not scope.unrestricted and scope.tenant is None:
            raise PermissionDenied  # tenants exist and this user is in none of them
        # The current tenant's rules and items (the configured tenant while no tenants are defined).
        tenant_id = scope.st_tenant_id or _tenant_or_none()
        form = RepriceForm(request.POST or None, tenant_id=tenant_id)
        if request.method == "POST" and form.is_valid():
            try:
                batch = reprice.propose_reprice(
                    tenant_id=tenant_id or reprice.default_tenant_id(),
                    targets=[form.cleaned_data["target"]],
                    category_st_id=form.cleaned_data["category"],
                    user=request.user,
                )
            except reprice.RepriceError as exc:
                form.add_error(None, str(exc))
            else:
                return HttpResponseRedirect(reverse("admin:pricebook_repricebatch_change", args=[batch.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Reprice by the pricing rules",
            "opts": self.model._meta,
            "form": form,
            "rules": PricingRule.objects.filter(tenant_id=tenant_id).count() if tenant_id else 0,
        }
        return TemplateResponse(request, "admin/pricebook/reprice_add.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The batch: totals, rows with their explanation and flags; approve (approvers) or discard."""
        batch = self.get_object(request, unquote(object_id))
        if batch is None or not self.has_view_permission(request, batch):
            raise PermissionDenied
        if request.method == "POST":
            return self._act(request, batch)
        rows = with_sold_90_days(RepriceRow.objects.filter(batch=batch)).order_by("-flagged", "item_type", "code", "pk")
        if request.GET.get("flagged") == "1":
            rows = rows.filter(flagged=True)
        shown = list(rows[:ROWS_SHOWN])
        for row in shown:
            row.flag_list = [(FLAG_LABELS.get(f["code"], f["code"]), f["reason"]) for f in row.flags]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reprice #{batch.pk}",
            "opts": self.model._meta,
            "batch": batch,
            "totals": batch.totals,
            "flag_counts": [(FLAG_LABELS.get(code, code), n) for code, n in batch.totals.get("flags", {}).items()],
            "rows": shown,
            "row_count": rows.count(),
            "rows_shown": ROWS_SHOWN,
            "can_approve": batch.status == RepriceBatch.Status.PROPOSED and reprice.can_approve(request.user),
            "can_discard": batch.status == RepriceBatch.Status.PROPOSED
            and request.user.has_perm("pricebook.change_repricebatch"),
            "original": batch,
        }
        return TemplateResponse(request, "admin/pricebook/reprice_batch.html", context)

    def _act(self, request, batch):
        here = reverse("admin:pricebook_repricebatch_change", args=[batch.pk])
        try:
            if "_discard" in request.POST:
                if not request.user.has_perm("pricebook.change_repricebatch"):
                    raise PermissionDenied
                reprice.discard_batch(batch, user=request.user)
                self.message_user(request, f"Reprice #{batch.pk} was discarded; nothing was changed.")
                return HttpResponseRedirect(here)
            if "_approve_all" in request.POST:
                rows = "all"
            elif "_approve_unflagged" in request.POST:
                rows = "unflagged"
            elif "_approve_selected" in request.POST:
                # Row ids as the form sends them: plain digits a database id can hold (others are no row).
                rows = [pk for pk in map(plain_id, request.POST.getlist("row")) if pk is not None]
                if not rows:
                    self.message_user(request, "Tick the rows to approve first.", messages.WARNING)
                    return HttpResponseRedirect(here)
            else:
                return HttpResponseRedirect(here)
            result = reprice.approve_batch(batch, rows=rows, user=request.user)
        except reprice.ApprovalDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except reprice.RepriceError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(here)
        self.message_user(
            request,
            f"Reprice #{batch.pk} approved: {result.approved} new price(s) will be pushed to ServiceTitan"
            + (f"; {result.not_approved} row(s) left out." if result.not_approved else "."),
        )
        if result.stale:
            self.message_user(
                request,
                f"{result.stale} chosen row(s) were left out: their prices changed since the preview. "
                "Reprice those items again.",
                messages.WARNING,
            )
        return HttpResponseRedirect(here)


@admin.action(description="Reprice selected by the pricing rules (preview first)…", permissions=["reprice"])
def reprice_selected(model_admin, request, queryset):
    item_type = item_type_of(queryset.model)
    st_ids = list(queryset.values_list("st_id", flat=True)[:25000])
    tenant_ids = set(queryset.values_list("tenant_id", flat=True).distinct())
    if len(tenant_ids) != 1:
        model_admin.message_user(request, "Choose items of one tenant.", messages.ERROR)
        return None
    try:
        batch = reprice.propose_reprice(
            tenant_id=tenant_ids.pop(),
            targets=[item_kind(item_type).resource_key],
            st_ids=st_ids,
            user=request.user,
        )
    except reprice.RepriceError as exc:
        model_admin.message_user(request, str(exc), messages.ERROR)
        return None
    if not batch.totals.get("changed"):
        model_admin.message_user(
            request, f"No price of the {len(st_ids)} selected {item_type} item(s) would change.", messages.WARNING
        )
    return HttpResponseRedirect(reverse("admin:pricebook_repricebatch_change", args=[batch.pk]))
