"""/api/v1/pricebook/central/: `mapping/` (the mapping review) and `audit/` (the central changes), read-only."""

from pricebook.api import central
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("mapping", central.CentralMappingViewSet, basename="central-mapping")
router.register("audit", central.CentralChangeViewSet, basename="central-audit")

urlpatterns = router.urls
