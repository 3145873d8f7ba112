"""The vendor price file upload of the materials list, and the remembered column mappings per vendor."""

from __future__ import annotations

from base64 import b64decode, b64encode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from pricebook.admin.editing import can_edit
from pricebook.models import (
    Material,
    VendorPriceMapping,
)
from pricebook.services.vendor_costs import (
    VendorFileError,
    apply_vendor_costs,
    guess_columns,
    preview_vendor_costs,
    read_price_file,
    remember_columns,
)
from tenants.access import scope_queryset
from tenants.admin_scope import admin_scope
from tenants.models import Tenant

VENDOR_SESSION_KEY = "pricebook_vendor_costs"
VENDOR_FILE_LIMIT = 20 * 1024 * 1024
PREVIEW_ROWS = 500


def vendor_suggestions(scope) -> list[str]:
    """The vendors the upload form suggests: those on the scope's tenant's materials. The remembered column mappings
    are shared across tenants (a vendor's file reads the same for everyone), so they add names only where there is no
    other tenant (none or one defined): another tenant's vendor is not suggested."""
    materials = scope_queryset(Material.objects.exclude(vendor_name=""), scope)
    names = set(materials.values_list("vendor_name", flat=True).distinct()[:2000])
    if scope.unrestricted or (scope.tenant is not None and Tenant.objects.count() == 1):
        names |= set(VendorPriceMapping.objects.values_list("vendor_name", flat=True))
    return sorted(names)


class VendorCostsMixin:
    """The vendor price file upload of the materials list: upload → map the columns (remembered per vendor) →
    preview (old → new cost, unmatched, ambiguous, invalid rows) → confirm (cost overrides). Nothing is written
    before the confirmation."""

    def vendor_costs_view(self, request):
        if not can_edit(request):
            raise PermissionDenied
        stored = request.session.get(VENDOR_SESSION_KEY)
        error = None
        # The upload form shows the vendor as typed: a refused file must not cost staff what they wrote.
        vendor = (stored or {}).get("vendor", "")
        if request.method == "POST" and "_upload" in request.POST:
            upload, vendor = request.FILES.get("file"), request.POST.get("vendor", "").strip()
            if upload is None or not vendor:
                error = "Choose the vendor and the price file."
            elif upload.size > VENDOR_FILE_LIMIT:
                error = f"The file is larger than {VENDOR_FILE_LIMIT // 1024 // 1024} MB."
            else:
                content = upload.read()
                try:
                    read_price_file(upload.name, content)
                except VendorFileError as exc:
                    error = str(exc)
                else:
                    stored = {"vendor": vendor, "filename": upload.name, "content": b64encode(content).decode()}
                    request.session[VENDOR_SESSION_KEY] = stored
        elif request.method == "POST" and stored is None:
            error = "The upload expired; upload the file again."
        preview = headers = columns = None
        if stored and not error:
            headers, grid = read_price_file(stored["filename"], b64decode(stored["content"]))
            if request.method == "POST" and ("_remap" in request.POST or "_confirm" in request.POST):
                columns = {role: request.POST.get(f"column_{role}", "") for role in VendorPriceMapping.ROLES}
                columns = {role: header for role, header in columns.items() if header in headers}
            else:
                columns = guess_columns(headers, stored["vendor"])
            try:
                # The materials of the tenant the admin works in (every row while no tenant is defined).
                scope = admin_scope(request)
                if scope.tenant is None and not scope.unrestricted:
                    raise PermissionDenied
                tenant_id = scope.st_tenant_id
                preview = preview_vendor_costs(stored["vendor"], headers, grid, columns, tenant_id=tenant_id)
            except VendorFileError as exc:
                error = str(exc)
            if preview is not None and request.method == "POST" and "_confirm" in request.POST:
                remember_columns(stored["vendor"], columns, request.user)
                applied = apply_vendor_costs(preview, user=request.user)
                request.session.pop(VENDOR_SESSION_KEY, None)
                self.message_user(
                    request,
                    f"{len(applied.override_ids)} cost override(s) from {stored['vendor']}'s price file; they will be "
                    "pushed to ServiceTitan (the vendor's cost on each item too).",
                    messages.SUCCESS,
                )
                if applied.batch is not None and applied.batch.rows.exists():
                    self.message_user(
                        request,
                        f"Reprice #{applied.batch.pk} proposes new prices from these costs; it waits for approval.",
                        messages.INFO,
                    )
                    return HttpResponseRedirect(reverse("admin:pricebook_repricebatch_change", args=[applied.batch.pk]))
                return HttpResponseRedirect(reverse("admin:pricebook_material_changelist") + "?override_status=pending")
        if "_start_over" in request.POST:
            request.session.pop(VENDOR_SESSION_KEY, None)
            return HttpResponseRedirect(request.path)
        vendors = vendor_suggestions(admin_scope(request))
        context = {
            **self.admin_site.each_context(request),
            "title": "Vendor price file",
            "opts": self.model._meta,
            "error": error,
            "stored": stored,
            "vendor": vendor,
            "vendors": vendors,
            "headers": headers,
            "columns": columns,
            "roles": [(role, ROLE_LABELS[role], (columns or {}).get(role, "")) for role in VendorPriceMapping.ROLES],
            "preview": preview,
            "counts": preview.counts() if preview else None,
            "changed": preview.changed[:PREVIEW_ROWS] if preview else [],
            "limit": PREVIEW_ROWS,
        }
        return TemplateResponse(request, "admin/pricebook/vendor_costs.html", context)


ROLE_LABELS = {
    "vendor_part": "Vendor part number",
    "cost": "Cost",
    "code": "Item code (optional)",
    "description": "Description (optional)",
    "unit": "Unit (optional)",
}


@admin.register(VendorPriceMapping)
class VendorPriceMappingAdmin(admin.ModelAdmin):
    list_display = ("vendor_name", "columns", "updated_by", "updated_at")
    search_fields = ("vendor_name",)
    readonly_fields = ("updated_by", "updated_at")
