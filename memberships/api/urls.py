from memberships.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("membership-types", views.MembershipTypeViewSet)
router.register("memberships", views.MembershipViewSet)
router.register("recurring-service-types", views.RecurringServiceTypeViewSet)
router.register("recurring-services", views.RecurringServiceViewSet)
router.register("recurring-service-events", views.RecurringServiceEventViewSet)
router.register("service-agreements", views.ServiceAgreementViewSet)

urlpatterns = router.urls
