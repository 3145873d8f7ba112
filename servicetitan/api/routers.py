"""The router every app's `api/urls.py` uses: DRF's default router, whose API root also requires a signed-in user
(DRF lets anyone see it; LAZI serves nothing anonymously)."""

from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import APIRootView, DefaultRouter


class AuthenticatedAPIRootView(APIRootView):
    permission_classes = [IsAuthenticated]


class MirrorRouter(DefaultRouter):
    APIRootView = AuthenticatedAPIRootView
