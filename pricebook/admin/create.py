"""The admin's "Add material / service / equipment" page and "Deactivate" (an action on the lists, a button on the
item page, both behind a confirmation).

Adding creates the item in ServiceTitan (the API's input serializer checks the form first: the spec's required
fields, the guardrails, categories) and lands on the new item's page; a refusal is shown in words on the form, which
keeps what was typed. Deactivating is an override `active: false` pushed at once, the path every change of an item
takes; nothing is ever deleted. The mirror's own add/change/delete stay closed (`MirrorAdmin`).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from pricebook.admin.editing import can_edit
from pricebook.api.create import CREATE_INPUTS
from pricebook.models import Category, PricebookOverride
from pricebook.services import create as create_services
from pricebook.services.overrides import OverrideError, save_overrides_bulk
from pricebook.services.push import push_overrides
from servicetitan.client.errors import ApiError, ServiceTitanError
from tenants.admin_scope import admin_scope


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, category):
        return category.path or category.name


def money_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=4, required=False)


class NewItemForm(forms.Form):
    """What staff type for a new item; checked by the API's input serializer of the item type, the same checks."""

    code = forms.CharField(max_length=255, help_text="Required by ServiceTitan.")
    name = forms.CharField(label="Display name", required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Required by ServiceTitan.")
    cost = money_field("Cost")
    price = money_field("Price")
    member_price = money_field("Member price")
    add_on_price = money_field("Add-on price")
    category = CategoryChoice(queryset=Category.objects.none(), required=False, help_text="Chosen by its path.")
    active = forms.BooleanField(required=False, initial=True)
    confirm_warnings = forms.BooleanField(
        label="I checked the warnings: create anyway", required=False, widget=forms.CheckboxInput
    )

    # Per item type: fields this form leaves out (no cost for services) and extra ones.
    WITHOUT = {"service": ("cost",)}
    EXTRA = {
        "material": {"unit_of_measure": forms.CharField(label="Unit of measure", required=False)},
        "service": {
            "duration_hours": forms.DecimalField(label="Hours", max_digits=10, decimal_places=4, required=False)
        },
        "equipment": {
            "manufacturer": forms.CharField(required=False),
            "model": forms.CharField(required=False),
            "unit_of_measure": forms.CharField(label="Unit of measure", required=False),
        },
    }

    def __init__(self, *args, item_type: str, tenant_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item_type = item_type
        for name in self.WITHOUT.get(item_type, ()):
            del self.fields[name]
        for name, field in self.EXTRA.get(item_type, {}).items():
            self.fields[name] = field
        # Categories of the item's side of the pricebook (services' or materials'), by path.
        categories = Category.objects.filter(deleted=False, active=True).order_by("path", "name")
        if tenant_id is not None:
            categories = categories.filter(tenant_id=tenant_id)
        if item_type == "service":
            categories = categories.filter(category_type=Category.CategoryType.SERVICES)
        else:
            categories = categories.exclude(category_type=Category.CategoryType.SERVICES)
        self.fields["category"].queryset = categories
        # Fields in a stable order: the extras after the money, the checkbox last.
        order = [n for n in self.fields if n not in ("category", "active", "confirm_warnings")]
        self.order_fields([*order, "category", "active", "confirm_warnings"])
        self.needs_confirmation = False

    def api_data(self) -> dict:
        """The cleaned form as the API's input (LAZI's names): empty values left out."""
        data = {}
        for name, value in self.cleaned_data.items():
            if name == "category":
                if value is not None:
                    data["categories"] = [value.st_id]
            elif value not in (None, ""):
                data[name] = value
        data["active"] = bool(self.cleaned_data.get("active"))
        return data

    def servicetitan_body(self) -> dict | None:
        """ServiceTitan's create body, or None with the errors on the form (same checks as the API)."""
        serializer = CREATE_INPUTS[self.item_type](data=self.api_data())
        if serializer.is_valid():
            return serializer.to_servicetitan()
        for name, errors in serializer.errors.items():
            field = "category" if name == "categories" else name
            if field == "confirm_warnings":
                self.needs_confirmation = True
            for error in errors:
                self.add_error(field if field in self.fields else None, str(error))
        return None


def servicetitan_errors(error: ServiceTitanError) -> list[str]:
    """ServiceTitan's refusal in words: its message, then each field's messages."""
    if isinstance(error, ApiError):
        lines = [error.staff_message]
        lines += [f"{field}: {message}" for field, messages_ in error.errors.items() for message in messages_]
        return list(dict.fromkeys(lines))
    return [f"ServiceTitan could not be reached: {error}"]


class ItemCreateAdminMixin:
    """For the item admins: `new/` (create in ServiceTitan), `<pk>/deactivate/` and the list action."""

    item_type = ""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "deactivate_selected" not in actions and can_edit(request):
            actions["deactivate_selected"] = self.get_action("deactivate_selected")
        return actions

    def has_create_permission(self, request) -> bool:
        return request.user.has_perm(f"pricebook.add_{self.model._meta.model_name}")

    def has_deactivate_permission(self, request) -> bool:
        return can_edit(request)

    def _url_name(self, what: str) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_{what}"

    def get_urls(self):
        create = self.admin_site.admin_view(self.create_view)
        deactivate = self.admin_site.admin_view(self.deactivate_view)
        return [
            path("new/", create, name=self._url_name("create")),
            path("<path:object_id>/deactivate/", deactivate, name=self._url_name("deactivate")),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = dict(extra_context or {})
        if self.has_create_permission(request):
            extra["create_url"] = reverse(f"admin:{self._url_name('create')}")
            extra["create_label"] = f"Add {self.model._meta.verbose_name}"
        return super().changelist_view(request, extra)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        if self.has_deactivate_permission(request):
            extra["deactivate_url"] = reverse(f"admin:{self._url_name('deactivate')}", args=[object_id])
        return super().change_view(request, object_id, form_url, extra)

    # --- add ---
    def create_view(self, request):
        if not self.has_create_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        form = NewItemForm(request.POST or None, item_type=self.item_type, tenant_id=admin_scope(request).st_tenant_id)
        if request.method == "POST" and form.is_valid():
            body = form.servicetitan_body()
            if body is not None:
                try:
                    item = create_services.create_item(
                        self.item_type, body, tenant_id=admin_scope(request).st_tenant_id
                    )
                except create_services.CreateRefused as exc:
                    for name, errors in exc.errors.items():
                        for error in errors:
                            form.add_error("category" if name == "categories" else None, error)
                except ServiceTitanError as exc:
                    for line in servicetitan_errors(exc):
                        form.add_error(None, f"ServiceTitan refused it: {line}")
                else:
                    self.message_user(
                        request,
                        f"{opts.verbose_name.capitalize()} {item.code} created in ServiceTitan.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse(f"admin:{self._url_name('change')}", args=[item.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Add {opts.verbose_name}",
            "opts": opts,
            "form": form,
            "changelist_url": reverse(f"admin:{self._url_name('changelist')}"),
        }
        return TemplateResponse(request, "admin/pricebook/item_create.html", context)

    # --- deactivate ---
    def _deactivate(self, request, items) -> None:
        """One override `active: false` per item (their other pending values kept), pushed together now."""
        try:
            saved = save_overrides_bulk(
                [(self.item_type, item.st_id, {"active": False}) for item in items],
                tenant_id=items[0].tenant_id,
                user=request.user,
                message="Deactivated from the admin.",
                queue_push=False,
            )
        except OverrideError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        result = push_overrides([o.pk for o in saved])
        refused = PricebookOverride.objects.filter(pk__in=list(result.failed)).only("error_message")
        if result.synced and not (result.failed or result.retry or result.conflicts):
            self.message_user(request, f"{len(result.synced)} item(s) deactivated in ServiceTitan.", messages.SUCCESS)
        else:
            self.message_user(request, f"Deactivate: {result.summary()}", messages.WARNING)
        for override in refused[:10]:
            self.message_user(request, f"ServiceTitan refused: {override.error_message}", messages.ERROR)

    def _confirm_page(self, request, items, *, action_form: bool):
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Deactivate {len(items)} {opts.verbose_name_plural if len(items) > 1 else opts.verbose_name}?",
            "opts": opts,
            "items": items,
            "action_form": action_form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
            "changelist_url": reverse(f"admin:{self._url_name('changelist')}"),
        }
        return TemplateResponse(request, "admin/pricebook/item_deactivate.html", context)

    @admin.action(description="Deactivate selected in ServiceTitan (confirm first)…", permissions=["deactivate"])
    def deactivate_selected(self, request, queryset):
        items = list(queryset.filter(deleted=False).order_by("code")[:1000])
        if not items:
            self.message_user(request, "Nothing to deactivate.", messages.WARNING)
            return None
        if "_confirm" not in request.POST:
            return self._confirm_page(request, items, action_form=True)
        self._deactivate(request, items)
        return None

    def deactivate_view(self, request, object_id):
        if not self.has_deactivate_permission(request):
            raise PermissionDenied
        item = self.get_object(request, unquote(object_id))
        if item is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        page = reverse(f"admin:{self._url_name('change')}", args=[item.pk])
        if request.method == "POST":
            self._deactivate(request, [item])
            return HttpResponseRedirect(page)
        return self._confirm_page(request, [item], action_form=False)
