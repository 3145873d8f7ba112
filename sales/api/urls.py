from sales.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("estimates", views.EstimateViewSet)
router.register("estimate-items", views.EstimateItemViewSet)
router.register("item-sales", views.ItemSalesViewSet, basename="item-sales")

urlpatterns = router.urls
