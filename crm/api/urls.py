from crm.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("customers", views.CustomerViewSet)
router.register("locations", views.LocationViewSet)
router.register("contacts", views.ContactViewSet)
router.register("customer-contacts", views.CustomerContactViewSet)

urlpatterns = router.urls
