from inventory.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("adjustments", views.AdjustmentViewSet)
router.register("purchase-orders", views.PurchaseOrderViewSet)
router.register("vendors", views.VendorViewSet)
router.register("warehouses", views.WarehouseViewSet)

urlpatterns = router.urls
