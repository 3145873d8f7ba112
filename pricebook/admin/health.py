"""The "Pricebook health" page (mounted by lazi/urls.py)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from pricebook.health import pricebook_health


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
