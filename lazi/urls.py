"""LAZI URLs: admin, the REST API under /api/v1/, its schema and docs, and the inbound webhook.

Each LAZI app exposes `api/urls.py`; it is mounted under /api/v1/<app>/ (the integration core's under /api/v1/sync/).
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from pricebook import admin as pricebook_admin

API_PREFIX = {"servicetitan": "sync"}


admin.site.site_header = "LAZI"
admin.site.site_title = "LAZI admin"
admin.site.index_title = "ServiceTitan mirror"

urlpatterns = [
    # Pages of the admin that belong to no model (before the admin's own catch-all).
    path("admin/pricebook/health/", admin.site.admin_view(pricebook_admin.health_view), name="pricebook-health"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    *(path(f"api/v1/{API_PREFIX.get(app, app)}/", include(f"{app}.api.urls")) for app in settings.LAZI_APPS),
    # The inbound webhook and the authenticated image proxy live in the servicetitan app.
    path("", include("servicetitan.urls")),
]
