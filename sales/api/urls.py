from sales.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("estimates", views.EstimateViewSet)
router.register("estimate-items", views.EstimateItemViewSet)
router.register("item-sales", views.ItemSalesViewSet, basename="item-sales")
router.register("discounts-and-fees", views.DiscountFeeViewSet)
router.register("rate-sheets", views.RateSheetViewSet)

urlpatterns = router.urls
