"""The admin works in one tenant at a time: the switcher in its header picks it, the session remembers it, and every
ModelAdmin of a model with `tenant_id` shows and writes that tenant's rows only (`LaziAdminSite.register` mixes
`TenantScopedAdminMixin` into each, so a new admin is scoped without doing anything)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tenants.access import TenantNotAllowed, TenantScope, find_tenant, has_model_tenant, request_scope, scope_queryset

SESSION_KEY = "lazi_tenant"


def admin_scope(request) -> TenantScope:
    """The tenant this admin request works in (the session's choice while the user is still in it), once per request."""
    scope = getattr(request, "_lazi_admin_scope", None)
    if scope is None:
        scope = request_scope(request.user, remembered=request.session.get(SESSION_KEY))
        request._lazi_admin_scope = scope
    return scope


class TenantScopedAdminMixin:
    """Lists, search, autocomplete, exports, detail pages and history of the current tenant only (another tenant's row
    is "not found"); a row added here belongs to the current tenant."""

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), admin_scope(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        scope = admin_scope(request)
        tenant_id = scope.st_tenant_id
        new_row_tenant = tenant_id if obj is None else None

        class CurrentTenantForm(form):
            # What `TenantFormMixin.tenant_rows` limits the form's own lookups to.
            tenant_scope = scope

            def __init__(self, *args, instance=None, **form_kwargs):
                if instance is None and new_row_tenant is not None:
                    instance = self._meta.model(tenant_id=new_row_tenant)
                super().__init__(*args, instance=instance, **form_kwargs)

        CurrentTenantForm.__name__ = form.__name__
        return CurrentTenantForm

    def save_model(self, request, obj, form, change):
        tenant_id = admin_scope(request).st_tenant_id
        if not change and tenant_id is not None:
            obj.tenant_id = tenant_id
        super().save_model(request, obj, form, change)


class TenantFormMixin:
    """A model form whose own lookups by ServiceTitan id (an item, a tier) stay in its row's tenant: ids are unique per
    tenant only, so the same st_id may be another tenant's row. The row's tenant when it has one (a change, or an add
    in the admin's current tenant), else the admin's scope (`tenant_scope`, set by `TenantScopedAdminMixin.get_form`):
    none for a user in no tenant, every row while no tenants are defined."""

    tenant_scope: TenantScope | None = None

    def tenant_rows(self, queryset):
        tenant_id = getattr(self.instance, "tenant_id", None)
        if tenant_id is not None:
            return queryset.filter(tenant_id=tenant_id)
        if self.tenant_scope is not None:
            return scope_queryset(queryset, self.tenant_scope)
        return queryset


def scoped_admin_class(model, admin_class):
    """`admin_class` with tenant scoping when `model`'s rows belong to a tenant (once: a subclass is not wrapped twice)."""
    if not has_model_tenant(model) or issubclass(admin_class, TenantScopedAdminMixin):
        return admin_class
    return type(admin_class.__name__, (TenantScopedAdminMixin, admin_class), {"__module__": admin_class.__module__})


def switcher_context(request) -> dict:
    """What the admin header's switcher shows."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = admin_scope(request)
    if scope.unrestricted:
        return {}
    from tenants.access import NO_TENANT_MESSAGE

    return {
        "lazi_tenant_choices": scope.choices,
        "lazi_current_tenant": scope.tenant,
        "lazi_tenant_message": NO_TENANT_MESSAGE if scope.tenant is None else "",
    }


@require_POST
def switch_tenant(request):
    """The switcher's form: remember the chosen tenant (one of the user's) and go back to the page it was on."""
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    scope = request_scope(request.user)
    try:
        tenant = find_tenant(scope.choices, request.POST.get("tenant", ""))
    except TenantNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        request.session[SESSION_KEY] = str(tenant.st_tenant_id)
        messages.info(request, f"Now showing tenant {tenant.name}.")
        # A row's page may not exist in the other tenant: the list of its model does (".../<id>/change/" → "...").
        back = _list_of(back)
    return HttpResponseRedirect(back or reverse("admin:index"))


def _list_of(path: str) -> str:
    parts = [p for p in path.split("?")[0].split("/") if p]
    # /admin/<app>/<model>/<pk>/change/ (or /history/, /delete/): back to /admin/<app>/<model>/
    if len(parts) >= 5 and parts[0] == "admin":
        return "/" + "/".join(parts[:3]) + "/"
    return path
