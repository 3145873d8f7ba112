from accounting.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("invoices", views.InvoiceViewSet)
router.register("payments", views.PaymentViewSet)

urlpatterns = router.urls
