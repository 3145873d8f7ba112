from jobs.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("jobs", views.JobViewSet)
router.register("appointments", views.AppointmentViewSet)
router.register("projects", views.ProjectViewSet)

urlpatterns = router.urls
