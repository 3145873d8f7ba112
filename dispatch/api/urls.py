from dispatch.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("technicians", views.TechnicianViewSet)
router.register("teams", views.TeamViewSet)
router.register("zones", views.ZoneViewSet)
router.register("employees", views.EmployeeViewSet)
router.register("business-units", views.BusinessUnitViewSet)
router.register("tag-types", views.TagTypeViewSet)
router.register("user-roles", views.UserRoleViewSet)
router.register("appointment-assignments", views.AppointmentAssignmentViewSet)
router.register("technician-shifts", views.TechnicianShiftViewSet)
router.register("non-job-appointments", views.NonJobAppointmentViewSet)

urlpatterns = router.urls
