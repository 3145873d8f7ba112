"""Pricebook pages outside the admin's models: images for the admin (staff only)."""

from __future__ import annotations

import logging

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from pricebook.models import PricebookOverride
from pricebook.services.image_cache import servicetitan_image
from servicetitan.client.errors import ApiError, ConfigurationError, ServiceTitanError

logger = logging.getLogger(__name__)
MAX_PATH_LENGTH = 1024


def _image_response(content: bytes, mime: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    # Served from LAZI's origin: never let an "image" run as a page.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@staff_member_required
def servicetitan_image_view(request):
    """GET /pricebook/images/?path=Images/…: ServiceTitan's image through LAZI's credentials, cached."""
    if not request.user.has_module_perms("pricebook"):
        return HttpResponse("You may not view the pricebook.", status=403, content_type="text/plain")
    path = request.GET.get("path", "").strip()
    if not path or len(path) > MAX_PATH_LENGTH:
        return HttpResponse("Which image? Give its ServiceTitan path as ?path=…", status=400, content_type="text/plain")
    try:
        content, mime = servicetitan_image(path)
    except ConfigurationError:
        return HttpResponse("ServiceTitan is not configured.", status=503, content_type="text/plain")
    except ApiError as exc:
        if exc.status == 404:
            raise Http404("ServiceTitan has no such image.") from exc
        return HttpResponse(f"ServiceTitan answered: {exc}", status=502, content_type="text/plain")
    except ServiceTitanError as exc:
        logger.warning("image %s could not be fetched: %s", path, exc)
        return HttpResponse("ServiceTitan could not be reached.", status=502, content_type="text/plain")
    if not mime.startswith("image/"):
        return HttpResponse("ServiceTitan did not answer with an image.", status=502, content_type="text/plain")
    return _image_response(content, mime)


@require_GET
@staff_member_required
def override_image_view(request, pk: int):
    """An override's pending image (not yet in ServiceTitan)."""
    if not request.user.has_perm("pricebook.view_pricebookoverride"):
        return HttpResponse("You may not view overrides.", status=403, content_type="text/plain")
    override = get_object_or_404(
        PricebookOverride.objects.only("override_image_data", "override_image_mime_type"), pk=pk
    )
    if not override.override_image_data:
        raise Http404("This override has no image.")
    return _image_response(bytes(override.override_image_data), override.override_image_mime_type or "image/png")
