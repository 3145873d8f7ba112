from crm.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("customers", views.CustomerViewSet)
router.register("locations", views.LocationViewSet)
router.register("contacts", views.ContactViewSet)
router.register("customer-contacts", views.CustomerContactViewSet)
router.register("bookings", views.BookingViewSet)
router.register("leads", views.LeadViewSet)

urlpatterns = router.urls
