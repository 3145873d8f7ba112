from rest_framework.decorators import action

from jobs import services
from jobs.api.serializers import (
    AppointmentCreateInput,
    AppointmentRescheduleInput,
    AppointmentSerializer,
    JobCancelInput,
    JobCreateInput,
    JobSerializer,
    JobUpdateInput,
    ProjectSerializer,
)
from jobs.filtersets import AppointmentFilterSet, JobFilterSet, ProjectFilterSet
from jobs.models import Appointment, Job, Project
from servicetitan.api.permissions import ModelChangePermission
from servicetitan.api.views import CreateThroughMixin, MirrorViewSet, UpdateThroughMixin


class JobViewSet(CreateThroughMixin, UpdateThroughMixin, MirrorViewSet):
    queryset = Job.objects.all()
    serializer_class = JobSerializer
    filterset_class = JobFilterSet
    search_fields = ("job_number", "summary")
    create_input, create_service = JobCreateInput, staticmethod(services.create_job)
    update_input, update_service = JobUpdateInput, staticmethod(services.update_job)
    action_inputs = {"cancel": JobCancelInput}

    @action(detail=True, methods=["post"], permission_classes=[ModelChangePermission])
    def cancel(self, request, st_id=None):
        """Cancels the job in ServiceTitan (`{reason_id, memo}`) and answers with the job as ServiceTitan has it."""
        return self.respond_with(services.cancel_job(self.get_object(), self.validated_body()))


class AppointmentViewSet(CreateThroughMixin, MirrorViewSet):
    queryset = Appointment.objects.all()
    serializer_class = AppointmentSerializer
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
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    search_fields = ("number", "name")
