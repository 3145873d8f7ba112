from accounting.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("invoices", views.InvoiceViewSet)
router.register("invoice-items", views.InvoiceItemViewSet)
router.register("payments", views.PaymentViewSet)
router.register("payment-types", views.PaymentTypeViewSet)
router.register("payment-terms", views.PaymentTermViewSet)
router.register("tax-zones", views.TaxZoneViewSet)

urlpatterns = router.urls
