"""The "Pricebook health" page (mounted by lazi/urls.py)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from pricebook.health import pricebook_health
from tenants.admin_scope import admin_scope


def health_view(request):
    """The "Pricebook health" page: one line per check, its count and a link to the filtered list."""
    if not request.user.has_module_perms("pricebook"):
        raise PermissionDenied
    scope = admin_scope(request)
    context = {
        **admin.site.each_context(request),
        "title": "Pricebook health",
        # The current tenant's items (everyone's while no tenants are defined; none for a user in no tenant).
        "lines": pricebook_health(scope.st_tenant_id) if scope.unrestricted or scope.tenant else [],
    }
    return TemplateResponse(request, "admin/pricebook/health.html", context)
