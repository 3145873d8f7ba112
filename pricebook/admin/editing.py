"""What items and categories share: the override form on the item page, effective values in lists, staff actions.

Items (materials, services, equipment) and categories are ServiceTitan's: read-only here. Staff change them through
overrides: the item page shows ServiceTitan's values beside the override form; lists show the effective values
(the override while it is not synced) with a status badge. Saving marks the override pending and queues its push.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect

from pricebook.admin.columns import (
    Status,
    default_image_path,
    money,
    override_image_url,
    percent,
    servicetitan_image_url,
    status_badge,
    thumbnail_html,
)
from pricebook.charts import price_chart_svg
from pricebook.forms import (
    LABELS,
    ItemOverrideForm,
)
from pricebook.models import (
    ITEM_TYPES,
    PricebookOverride,
    override_fields_for,
)
from pricebook.selectors import (
    EffectiveValue,
    OverrideStatus,
    drifted_fields,
    effective_margins,
    effective_values,
    get_override,
    history_for,
    item_kind,
    override_is_effective,
    price_history_for,
    with_effective_values,
)
from pricebook.services import overrides as override_services
from pricebook.services.price_lists import exceptions_text
from pricebook.services.push import push_overrides, refresh_from_servicetitan
from servicetitan.admin_base import MirrorAdmin
from servicetitan.client.errors import ServiceTitanError

EDIT_PERMISSION = "pricebook.change_pricebookoverride"


def shown_value(value):
    """A value as the item page shows it: money with its decimals, a rate sheet's exceptions one a line."""
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, list):
        return exceptions_text(value) or "(none)"
    return value


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
        columns = {f.name: f.override for f in override_fields_for(self.item_type)}
        priced = self.item_type in ITEM_TYPES
        rows = []
        for name in form.value_fields:
            st_value = getattr(item, name)
            overridden = getattr(override, columns[name]) if override else None
            rows.append(
                {
                    "label": LABELS[name],
                    "servicetitan": shown_value(st_value),
                    "servicetitan_raw": st_value,
                    "overridden": overridden is not None and override_is_effective(override),
                    # ServiceTitan refused this value: it is not the item's; shown beside ServiceTitan's message.
                    "refused": shown_value(overridden) if failed and overridden is not None else None,
                    "effective": shown_value(effective[name]),
                    "field": form[name],
                    "errors": list(form.errors.get(name, [])) + list(st_errors.get(name, [])),
                }
            )
        st_path = default_image_path(item)
        drifted = drifted_fields(item, override, self.item_type)
        price_history = list(price_history_for(self.item_type, item.st_id, item.tenant_id)[:200]) if priced else []
        extra = {"has_image": self.item_type == "category" or priced}
        if priced:
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
        keys = set(queryset.values_list("tenant_id", "st_id"))
        st_ids = [st_id for _, st_id in keys]
        overrides = PricebookOverride.objects.filter(item_type=self.item_type, st_pricebook_id__in=st_ids)
        # The same st_id may be another tenant's item: only the selected rows' own overrides.
        return [o for o in overrides if (o.tenant_id, o.st_pricebook_id) in keys]

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
