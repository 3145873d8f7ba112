"""LAZI URLs: admin, the REST API under /api/v1/, its schema and docs, and the inbound webhook.

Each app exposes `api/urls.py` with a `router` (or `urlpatterns`); they are mounted under /api/v1/<app>/.
"""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

API_APPS = ["pricebook", "crm", "jobs", "dispatch", "accounting", "inventory", "servicetitan"]
API_PREFIX = {"servicetitan": "sync"}


def _api_urls():
    patterns = []
    for app in API_APPS:
        try:
            module = import_module(f"{app}.api.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.api.urls":
                raise
            continue
        patterns.append(path(f"api/v1/{API_PREFIX.get(app, app)}/", include(module)))
    return patterns


admin.site.site_header = "LAZI"
admin.site.site_title = "LAZI admin"
admin.site.index_title = "ServiceTitan mirror"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    *_api_urls(),
    # The inbound webhook and the authenticated image proxy live in the servicetitan app.
    path("", include("servicetitan.urls")),
]
