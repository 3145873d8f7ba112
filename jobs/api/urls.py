from jobs.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("jobs", views.JobViewSet)
router.register("appointments", views.AppointmentViewSet)
router.register("projects", views.ProjectViewSet)
router.register("job-notes", views.JobNoteViewSet)
router.register("job-types", views.JobTypeViewSet)
router.register("job-cancel-reasons", views.JobCancelReasonViewSet)
router.register("job-hold-reasons", views.JobHoldReasonViewSet)
router.register("project-statuses", views.ProjectStatusViewSet)
router.register("project-substatuses", views.ProjectSubStatusViewSet)
router.register("project-types", views.ProjectTypeViewSet)

urlpatterns = router.urls
