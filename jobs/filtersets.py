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
from servicetitan.api.filtersets import MirrorFilterSet

IDS = ["exact", "in"]
PERIOD = ["gte", "lt"]


class JobFilterSet(MirrorFilterSet):
    class Meta:
        model = Job
        fields = {
            "job_number": ["exact"],
            "job_status": ["exact"],
            "priority": ["exact"],
            "customer_st_id": IDS,
            "location_st_id": IDS,
            "project_st_id": IDS,
            "business_unit_st_id": IDS,
            "job_type_id": IDS,
            "completed_on": PERIOD,
            "created_on": PERIOD,
        }


class AppointmentFilterSet(MirrorFilterSet):
    class Meta:
        model = Appointment
        fields = {"job_st_id": IDS, "customer_st_id": IDS, "status": ["exact"], "start": PERIOD, "end": PERIOD}


class ProjectFilterSet(MirrorFilterSet):
    class Meta:
        model = Project
        fields = {"number": ["exact"], "status": ["exact"], "customer_st_id": IDS, "location_st_id": IDS}


class JobNoteFilterSet(MirrorFilterSet):
    class Meta:
        model = JobNote
        fields = {"job_st_id": IDS, "is_pinned": ["exact"], "created_on": PERIOD}


# --- Reference data ---------------------------------------------------------------------------------------------------
NAME = ["exact", "icontains"]


class JobTypeFilterSet(MirrorFilterSet):
    class Meta:
        model = JobType
        fields = {"name": NAME, "priority": ["exact"], "job_class": ["exact"]}


class JobCancelReasonFilterSet(MirrorFilterSet):
    class Meta:
        model = JobCancelReason
        fields = {"name": NAME}


class JobHoldReasonFilterSet(MirrorFilterSet):
    class Meta:
        model = JobHoldReason
        fields = {"name": NAME}


class ProjectStatusFilterSet(MirrorFilterSet):
    class Meta:
        model = ProjectStatus
        fields = {"name": NAME}


class ProjectSubStatusFilterSet(MirrorFilterSet):
    class Meta:
        model = ProjectSubStatus
        fields = {"name": NAME, "status_st_id": IDS}


class ProjectTypeFilterSet(MirrorFilterSet):
    class Meta:
        model = ProjectType
        fields = {"name": NAME}
