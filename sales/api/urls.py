from sales.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("estimates", views.EstimateViewSet)
router.register("estimate-items", views.EstimateItemViewSet)

urlpatterns = router.urls
