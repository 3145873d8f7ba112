from rest_framework.decorators import action

from jobs import services
from jobs.api.serializers import (
    AppointmentCreateInput,
    AppointmentRescheduleInput,
    JobCancelInput,
    JobCreateInput,
    JobHoldInput,
    JobUpdateInput,
)
from jobs.filtersets import (
    AppointmentFilterSet,
    JobCancelReasonFilterSet,
    JobFilterSet,
    JobHoldReasonFilterSet,
    JobNoteFilterSet,
    JobTypeFilterSet,
    ProjectFilterSet,
    ProjectStatusFilterSet,
    ProjectSubStatusFilterSet,
    ProjectTypeFilterSet,
)
from jobs.models import (
    Appointment,
    Job,
    JobCancelReason,
    JobHoldReason,
    JobNote,
    JobType,
    Project,
    ProjectStatus,
    ProjectSubStatus,
    ProjectType,
)
from servicetitan.api.permissions import ModelChangePermission
from servicetitan.api.views import CreateThroughMixin, MirrorViewSet, UpdateThroughMixin


class JobViewSet(CreateThroughMixin, UpdateThroughMixin, MirrorViewSet):
    queryset = Job.objects.all()
    filterset_class = JobFilterSet
    search_fields = ("job_number", "summary")
    create_input, create_service = JobCreateInput, staticmethod(services.create_job)
    update_input, update_service = JobUpdateInput, staticmethod(services.update_job)
    action_inputs = {"cancel": JobCancelInput, "hold": JobHoldInput}

    @action(detail=True, methods=["post"], permission_classes=[ModelChangePermission])
    def cancel(self, request, st_id=None):
        """Cancels the job in ServiceTitan (`{reason_id, memo}`, the reason one of `job-cancel-reasons`) and answers
        with the job as ServiceTitan has it."""
        job = self.get_object()
        return self.respond_with(services.cancel_job(job, self.validated_body(job=job)))

    @action(detail=True, methods=["post"], permission_classes=[ModelChangePermission])
    def hold(self, request, st_id=None):
        """Puts the job on hold in ServiceTitan (`{reason_id, memo}`, the reason one of `job-hold-reasons`) and
        answers with the job as ServiceTitan has it."""
        job = self.get_object()
        return self.respond_with(services.hold_job(job, self.validated_body(job=job)))


class AppointmentViewSet(CreateThroughMixin, MirrorViewSet):
    queryset = Appointment.objects.all()
    filterset_class = AppointmentFilterSet
    search_fields = ("appointment_number",)
    create_input, create_service = AppointmentCreateInput, staticmethod(services.create_appointment)
    action_inputs = {"reschedule": AppointmentRescheduleInput}

    @action(detail=True, methods=["post"], permission_classes=[ModelChangePermission])
    def reschedule(self, request, st_id=None):
        """Moves the appointment in ServiceTitan (new start/end, optional arrival window)."""
        return self.respond_with(services.reschedule_appointment(self.get_object(), self.validated_body()))


class ProjectViewSet(MirrorViewSet):
    queryset = Project.objects.all()
    filterset_class = ProjectFilterSet
    search_fields = ("number", "name")


class JobNoteViewSet(MirrorViewSet):
    queryset = JobNote.objects.all()
    filterset_class = JobNoteFilterSet
    search_fields = ("text",)


# --- Reference data ---------------------------------------------------------------------------------------------------
class JobTypeViewSet(MirrorViewSet):
    queryset = JobType.objects.all()
    filterset_class = JobTypeFilterSet
    search_fields = ("name",)


class JobCancelReasonViewSet(MirrorViewSet):
    queryset = JobCancelReason.objects.all()
    filterset_class = JobCancelReasonFilterSet
    search_fields = ("name",)


class JobHoldReasonViewSet(MirrorViewSet):
    queryset = JobHoldReason.objects.all()
    filterset_class = JobHoldReasonFilterSet
    search_fields = ("name",)


class ProjectStatusViewSet(MirrorViewSet):
    queryset = ProjectStatus.objects.all()
    filterset_class = ProjectStatusFilterSet
    search_fields = ("name",)


class ProjectSubStatusViewSet(MirrorViewSet):
    queryset = ProjectSubStatus.objects.all()
    filterset_class = ProjectSubStatusFilterSet
    search_fields = ("name",)


class ProjectTypeViewSet(MirrorViewSet):
    queryset = ProjectType.objects.all()
    filterset_class = ProjectTypeFilterSet
    search_fields = ("name",)
