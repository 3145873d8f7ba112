import pytest

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
from tests.servicetitan.sync_support import assert_mirror_equals
from tests.sync_support import check_sync, money, sync, text, when

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


def test_sync_mirrors_jpm_reference_data_and_job_notes(simulator):
    named = lambda r: {"name": r["name"]}  # noqa: E731
    check_sync(
        simulator,
        {
            "jobs.job-types": (
                JobType,
                lambda r: {
                    "name": r["name"],
                    "priority": r["priority"],
                    "duration": r["duration"],
                    "job_class": r["class"],
                    "no_charge": r["noCharge"],
                    "business_unit_st_ids": r["businessUnitIds"],
                    "sold_threshold": money(r["soldThreshold"]),
                },
            ),
            "jobs.job-cancel-reasons": (JobCancelReason, named),
            "jobs.job-hold-reasons": (JobHoldReason, named),
            "jobs.project-substatuses": (
                ProjectSubStatus,
                lambda r: {"name": r["name"], "status_st_id": r["statusId"], "order": r["order"]},
            ),
            "jobs.job-notes": (
                JobNote,
                lambda r: {
                    "job_st_id": r["jobId"],
                    "text": r["text"],
                    "is_pinned": r["isPinned"],
                    "created_on": when(r["createdOn"]),
                },
            ),
        },
    )
    list_keys = ("jobs.job-types", "jobs.job-cancel-reasons", "jobs.job-hold-reasons", "jobs.project-substatuses")
    assert_mirror_equals(simulator, list_keys, kind="list")
    assert_mirror_equals(simulator, ("jobs.job-notes",), kind="export")


def test_project_statuses_and_types_have_no_active_flag_and_are_mirrored_whole(simulator):
    keys = ("jobs.project-statuses", "jobs.project-types")
    sync(list(keys), full=True)
    assert_mirror_equals(simulator, keys, kind="list")
    assert ProjectStatus.objects.count() == simulator.dataset.base_count("jobs.project-statuses")

    for key in keys:
        simulator.dataset.mutate(key, modify=1, create=1)
    (gone,) = simulator.dataset.delete("jobs.project-types", 1)
    sync(list(keys), full=False)
    # Project types have no change filter: each run lists them whole, and one no longer listed is deleted.
    assert ProjectType.objects.get(st_id=gone).deleted is True
    live = {r["id"] for r in simulator.dataset.records("jobs.project-types")} - {gone}
    assert set(ProjectType.objects.filter(deleted=False).values_list("st_id", flat=True)) == live
    assert_mirror_equals(simulator, ("jobs.project-statuses",), kind="list")
    renamed = ProjectStatus.objects.filter(name__contains="(rev ")
    assert renamed.count() == 1


def test_jobs_and_sub_statuses_point_at_the_mirrored_reference_data(simulator):
    sync(["jobs"], full=True)
    job = Job.objects.select_related("job_type").exclude(job_type_id=None).first()
    assert job.job_type is not None and job.job_type.st_id == job.job_type_id
    assert job.job_type.name == simulator.dataset.get("jobs.job-types", job.job_type_id)["name"]
    sub_status = ProjectSubStatus.objects.select_related("status").first()
    assert sub_status.status.st_id == sub_status.status_st_id
    note = JobNote.objects.select_related("job").first()
    assert note.job is not None and note.job.st_id == note.job_st_id
