"""Mounted at /api/v1/sync/: `runs/` (list, detail) and the sync trigger itself (`POST /api/v1/sync/`)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from servicetitan.api import views

router = SimpleRouter()
router.register("runs", views.SyncRunViewSet)

urlpatterns = [path("", views.SyncView.as_view(), name="sync"), *router.urls]
