from inventory.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("adjustments", views.AdjustmentViewSet)
router.register("purchase-orders", views.PurchaseOrderViewSet)
router.register("vendors", views.VendorViewSet)
router.register("warehouses", views.WarehouseViewSet)
router.register("trucks", views.TruckViewSet)
router.register("receipts", views.ReceiptViewSet)
router.register("returns", views.ReturnViewSet)
router.register("transfers", views.TransferViewSet)

urlpatterns = router.urls
