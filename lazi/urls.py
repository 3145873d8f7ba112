"""LAZI URLs: admin, the REST API under /api/v1/, its schema and docs, and the inbound webhook.

Each LAZI app exposes `api/urls.py`; it is mounted under /api/v1/<app>/ (the integration core's under /api/v1/sync/).
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from pricebook import admin as pricebook_admin
from servicetitan.api.views import ApiRootView, BrowsableSchemaView

API_PREFIX = {"servicetitan": "sync"}


urlpatterns = [
    # Pages of the admin that belong to no model (before the admin's own catch-all).
    path("admin/pricebook/health/", admin.site.admin_view(pricebook_admin.health_view), name="pricebook-health"),
    path("admin/", admin.site.urls),
    path("api/schema/", BrowsableSchemaView.as_view(), name="schema"),
    # Swagger UI and ReDoc from LAZI's own static files (drf-spectacular-sidecar): they work offline.
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path(
        "api/v1/",
        ApiRootView.as_view(mounts={API_PREFIX.get(app, app): f"{app}.api.urls" for app in settings.LAZI_APPS}),
        name="api-v1-root",
    ),
    *(path(f"api/v1/{API_PREFIX.get(app, app)}/", include(f"{app}.api.urls")) for app in settings.LAZI_APPS),
    # The inbound webhook (the integration core's).
    path("", include("servicetitan.urls")),
    # The pricebook's pages outside the API: the admin's authenticated image proxy (/pricebook/images/?path=…) and
    # override images.
    path("", include("pricebook.urls")),
]
