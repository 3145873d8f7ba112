import pytest

from jobs.models import Appointment, Job, Project
from tests.sync_support import check_sync, text, when

pytestmark = pytest.mark.django_db


def test_sync_mirrors_jobs_appointments_projects(simulator):
    check_sync(
        simulator,
        {
            "jobs.projects": (
                Project,
                lambda r: {
                    "number": r["number"],
                    "name": text(r["name"]),
                    "status": text(r["status"]),
                    "customer_st_id": r["customerId"],
                    "job_st_ids": r["jobIds"],
                },
            ),
            "jobs.jobs": (
                Job,
                lambda r: {
                    "job_number": r["jobNumber"],
                    "job_status": r["jobStatus"],
                    "priority": r["priority"],
                    "customer_st_id": r["customerId"],
                    "location_st_id": r["locationId"],
                    "business_unit_st_id": r["businessUnitId"],
                    "job_type_id": r["jobTypeId"],
                    "completed_on": when(r["completedOn"]),
                    "summary": text(r["summary"]),
                },
            ),
            "jobs.appointments": (
                Appointment,
                lambda r: {
                    "job_st_id": r["jobId"],
                    "appointment_number": text(r["appointmentNumber"]),
                    "start": when(r["start"]),
                    "end": when(r["end"]),
                    "arrival_window_start": when(r["arrivalWindowStart"]),
                    "status": r["status"],
                },
            ),
        },
    )
    appointment = Appointment.objects.select_related("job").first()
    assert appointment.job.st_id == appointment.job_st_id
