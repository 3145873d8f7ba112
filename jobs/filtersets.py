from jobs.models import Appointment, Job, Project
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
