"""The API works in one tenant per request: the header `X-LAZI-Tenant: <name or ServiceTitan id>` or `?tenant=`,
else the user's only (or the default) tenant. A tenant the token's user is not in answers 403.

`TenantScopeFilter` (first of `DEFAULT_FILTER_BACKENDS`) limits every list, detail (another tenant's row: 404),
search and export of a model with `tenant_id` to that tenant; `ModelPermissionsWithView` resolves the tenant
before anything runs (servicetitan.api.permissions); `tenant_parameters` documents both in the OpenAPI schema.
"""

from __future__ import annotations

from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import BaseFilterBackend

from tenants.access import NO_TENANT_MESSAGE, TenantNotAllowed, TenantScope, request_scope, scope_queryset

HEADER = "X-LAZI-Tenant"
QUERY_PARAMETER = "tenant"


def requested_tenant(request) -> str | None:
    header = request.META.get("HTTP_X_LAZI_TENANT")
    if header not in (None, ""):
        return header
    params = getattr(request, "query_params", request.GET)
    return params.get(QUERY_PARAMETER)


def api_scope(request) -> TenantScope:
    """The tenant this API request works in (once per request); 403 when it names one the user is not in."""
    django_request = getattr(request, "_request", request)
    scope = getattr(django_request, "_lazi_api_scope", None)
    if scope is None:
        try:
            scope = request_scope(request.user, requested_tenant(request))
        except TenantNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        django_request._lazi_api_scope = scope
    if not scope.unrestricted and scope.tenant is None:
        # Tenants exist and this user is in none of them: nothing to show, said plainly.
        raise PermissionDenied(NO_TENANT_MESSAGE)
    return scope


def api_tenant_id(request) -> int | None:
    """The ServiceTitan tenant id new rows of this request belong to (None: no tenants defined, or none for the user)."""
    return api_scope(request).st_tenant_id


class TenantScopeFilter(BaseFilterBackend):
    """Rows of the request's tenant only (models without `tenant_id` are shared across tenants)."""

    def filter_queryset(self, request, queryset, view):
        return scope_queryset(queryset, api_scope(request))


def tenant_parameters(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation of the API takes the tenant header and query parameter."""
    description = (
        "The tenant to work in: its name or ServiceTitan tenant id. Omitted: your only tenant, or the default one. "
        "A tenant you are not a member of answers 403."
    )
    parameters = [
        {"in": "header", "name": HEADER, "required": False, "schema": {"type": "string"}, "description": description},
        {
            "in": "query",
            "name": QUERY_PARAMETER,
            "required": False,
            "schema": {"type": "string"},
            "description": f"Same as the `{HEADER}` header (the header wins when both are given).",
        },
    ]
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete", "head", "options"}:
                continue
            existing = {(p.get("in"), p.get("name")) for p in operation.get("parameters", [])}
            operation.setdefault("parameters", []).extend(p for p in parameters if (p["in"], p["name"]) not in existing)
    return result
