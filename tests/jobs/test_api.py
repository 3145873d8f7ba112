import datetime

import pytest

from devtools.simulator import DEMO_TENANT_ID
from jobs.models import Appointment, Job, JobCancelReason, JobHoldReason
from tests.api_support import check_read_endpoint, check_read_only, client_for, st_ids
from tests.factories import AppointmentFactory, JobFactory, ProjectFactory, UserFactory, viewer
from tests.jobs.factories import (
    JobCancelReasonFactory,
    JobHoldReasonFactory,
    JobNoteFactory,
    JobTypeFactory,
    ProjectStatusFactory,
    ProjectSubStatusFactory,
    ProjectTypeFactory,
)

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/jobs/jobs/"
APPOINTMENTS = "/api/v1/jobs/appointments/"


@pytest.mark.parametrize(
    ("url", "factory"),
    [(JOBS, JobFactory), (APPOINTMENTS, AppointmentFactory), ("/api/v1/jobs/projects/", ProjectFactory)],
)
def test_read_endpoint(url, factory):
    check_read_endpoint(url, factory)


REFERENCE_URLS = {
    "job-types": JobTypeFactory,
    "job-cancel-reasons": JobCancelReasonFactory,
    "job-hold-reasons": JobHoldReasonFactory,
    "project-statuses": ProjectStatusFactory,
    "project-substatuses": ProjectSubStatusFactory,
    "project-types": ProjectTypeFactory,
    "job-notes": JobNoteFactory,
}


@pytest.mark.parametrize(("path", "factory"), REFERENCE_URLS.items(), ids=list(REFERENCE_URLS))
def test_reference_data_and_notes_are_read_endpoints(path, factory):
    check_read_endpoint(f"/api/v1/jobs/{path}/", factory)
    check_read_only(f"/api/v1/jobs/{path}/", factory)


def test_reference_data_filters():
    wanted = JobCancelReasonFactory(name="Customer canceled")
    JobCancelReasonFactory(name="Weather")
    client = client_for(viewer())
    assert st_ids(client.get("/api/v1/jobs/job-cancel-reasons/", {"name__icontains": "customer"})) == {
        str(wanted.st_id)
    }
    sub = ProjectSubStatusFactory()
    ProjectSubStatusFactory()
    assert st_ids(client.get("/api/v1/jobs/project-substatuses/", {"status_st_id": sub.status_st_id})) == {
        str(sub.st_id)
    }
    note = JobNoteFactory()
    JobNoteFactory()
    assert st_ids(client.get("/api/v1/jobs/job-notes/", {"job_st_id": note.job_st_id})) == {str(note.st_id)}


def test_projects_are_read_only():
    check_read_only("/api/v1/jobs/projects/", ProjectFactory)


def test_appointments_cannot_be_patched_or_deleted():
    check_read_only(APPOINTMENTS, AppointmentFactory, methods=("patch", "put", "delete"))


def test_job_filters():
    job = JobFactory(job_status="Completed", priority="High")
    JobFactory(job_status="Scheduled")
    appointment = AppointmentFactory(job_st_id=job.st_id)
    AppointmentFactory()
    client = client_for(viewer())
    assert st_ids(client.get(JOBS, {"job_status": "Completed"})) == {str(job.st_id)}
    assert st_ids(client.get(JOBS, {"customer_st_id": job.customer_st_id})) == {str(job.st_id)}
    assert st_ids(client.get(APPOINTMENTS, {"job_st_id__in": str(job.st_id)})) == {str(appointment.st_id)}
    assert list(job.appointments.all()) == [appointment]


# --- Write-through ----------------------------------------------------------------------------------------------------
def writer(*codenames):
    return client_for(UserFactory(permissions=[f"jobs.{c}" for c in codenames]))


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


TOMORROW_9 = datetime.datetime.now(datetime.UTC).replace(
    hour=9, minute=0, second=0, microsecond=0
) + datetime.timedelta(days=1)


def new_job_body(simulator) -> dict:
    location = simulator.dataset.records("crm.locations")[0]
    job = simulator.dataset.records("jobs.jobs")[0]
    return {
        "customer_st_id": location["customerId"],
        "location_st_id": location["id"],
        "business_unit_st_id": job["businessUnitId"],
        "job_type_id": job["jobTypeId"],
        "campaign_id": job["campaignId"],
        "priority": "High",
        "summary": "No heat upstairs",
        "appointments": [{"start": iso(TOMORROW_9), "end": iso(TOMORROW_9 + datetime.timedelta(hours=2))}],
    }


def mirrored_job(simulator, status="Scheduled") -> dict:
    record = next(r for r in simulator.dataset.records("jobs.jobs") if r["jobStatus"] == status)
    JobFactory(tenant_id=DEMO_TENANT_ID, st_id=record["id"], job_status=status)
    return record


def test_create_job_with_its_appointment(simulator):
    response = writer("add_job").post(JOBS, new_job_body(simulator), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    in_servicetitan = simulator.dataset.get("jobs.jobs", body["st_id"])
    assert in_servicetitan["priority"] == "High" and in_servicetitan["summary"] == "No heat upstairs"
    job = Job.objects.get(tenant_id=DEMO_TENANT_ID, st_id=body["st_id"])
    assert job.first_appointment_st_id == in_servicetitan["firstAppointmentId"]
    appointment = Appointment.objects.get(st_id=job.first_appointment_st_id)
    assert appointment.job_st_id == job.st_id and appointment.start == TOMORROW_9


def test_create_job_needs_an_appointment(simulator):
    body = {**new_job_body(simulator), "appointments": []}
    response = writer("add_job").post(JOBS, body, format="json")
    assert response.status_code == 400
    assert "appointments" in response.json()


def test_update_job(simulator):
    record = mirrored_job(simulator)
    response = writer("change_job").patch(f"{JOBS}{record['id']}/", {"priority": "Urgent"}, format="json")
    assert response.status_code == 200, response.content
    assert simulator.dataset.get("jobs.jobs", record["id"])["priority"] == "Urgent"
    assert Job.objects.get(st_id=record["id"]).priority == "Urgent"


def mirrored_reason(simulator, kind: str, index: int = 0) -> int:
    """A reason as the simulator has it (index 0 and 1 are always active), mirrored; returns its id."""
    key, model = {
        "cancel": ("jobs.job-cancel-reasons", JobCancelReason),
        "hold": ("jobs.job-hold-reasons", JobHoldReason),
    }[kind]
    st_id = simulator.dataset.id_at(key, index)
    model.objects.create(
        tenant_id=DEMO_TENANT_ID, st_id=st_id, name=simulator.dataset.get(key, st_id)["name"], active=True
    )
    return st_id


def test_cancel_job_reads_the_job_back(simulator):
    record = mirrored_job(simulator)
    client = writer("change_job")
    reason = mirrored_reason(simulator, "cancel")

    response = client.post(
        f"{JOBS}{record['id']}/cancel/", {"reason_id": reason, "memo": "Customer called"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["job_status"] == "Canceled"
    assert simulator.dataset.get("jobs.jobs", record["id"])["jobStatus"] == "Canceled"
    assert Job.objects.get(st_id=record["id"]).job_status == "Canceled"
    # ServiceTitan refuses a second cancel: its message comes back as a 400.
    again = client.post(f"{JOBS}{record['id']}/cancel/", {"reason_id": reason, "memo": "again"}, format="json")
    assert again.status_code == 400
    assert "already canceled" in again.json()["detail"]


def test_cancel_needs_change_permission(simulator):
    record = mirrored_job(simulator)
    reason = mirrored_reason(simulator, "cancel")
    response = writer("add_job", "view_job").post(
        f"{JOBS}{record['id']}/cancel/", {"reason_id": reason, "memo": ""}, format="json"
    )
    assert response.status_code == 403
    assert simulator.dataset.get("jobs.jobs", record["id"])["jobStatus"] == "Scheduled"


@pytest.mark.parametrize("kind", ["cancel", "hold"])
def test_cancel_and_hold_take_only_a_mirrored_active_reason_of_their_kind(simulator, kind):
    record = mirrored_job(simulator)
    other = mirrored_reason(simulator, "hold" if kind == "cancel" else "cancel")
    inactive = mirrored_reason(simulator, kind, index=1)
    JobCancelReason.objects.filter(st_id=inactive).update(active=False)
    JobHoldReason.objects.filter(st_id=inactive).update(active=False)
    client = writer("change_job")

    for reason_id in (987654321, other, inactive):
        response = client.post(f"{JOBS}{record['id']}/{kind}/", {"reason_id": reason_id, "memo": "x"}, format="json")
        assert response.status_code == 400, response.content
        message = " ".join(response.json()["reason_id"])
        assert f"{reason_id} is not an active job {kind} reason" in message
        assert f"/api/v1/jobs/job-{kind}-reasons/" in message
    # Nothing reached ServiceTitan.
    assert simulator.stats.calls("PUT", f"/jpm/v2/tenant/{{tenant}}/jobs/{{id}}/{kind}") == 0
    assert simulator.dataset.get("jobs.jobs", record["id"])["jobStatus"] == "Scheduled"


def test_hold_job_reads_the_job_back(simulator):
    record = mirrored_job(simulator)
    reason = mirrored_reason(simulator, "hold")

    response = writer("change_job").post(
        f"{JOBS}{record['id']}/hold/", {"reason_id": reason, "memo": "Waiting on parts"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["job_status"] == "Hold"
    assert simulator.dataset.get("jobs.jobs", record["id"])["jobStatus"] == "Hold"
    assert Job.objects.get(st_id=record["id"]).job_status == "Hold"


def test_create_and_reschedule_appointment(simulator):
    record = mirrored_job(simulator)
    client = writer("add_appointment", "change_appointment")
    start = TOMORROW_9 + datetime.timedelta(days=2)

    created = client.post(
        APPOINTMENTS,
        {"job_st_id": record["id"], "start": iso(start), "end": iso(start + datetime.timedelta(hours=1))},
        format="json",
    )
    assert created.status_code == 201, created.content
    st_id = created.json()["st_id"]
    assert simulator.dataset.get("jobs.appointments", st_id)["jobId"] == record["id"]

    later = start + datetime.timedelta(days=1)
    moved = client.post(
        f"{APPOINTMENTS}{st_id}/reschedule/",
        {"start": iso(later), "end": iso(later + datetime.timedelta(hours=3))},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    assert Appointment.objects.get(st_id=st_id).start == later
    assert simulator.dataset.get("jobs.appointments", st_id)["start"].startswith(later.strftime("%Y-%m-%dT%H:%M:%S"))


def test_reschedule_refuses_an_end_before_the_start(simulator):
    appointment = AppointmentFactory()
    simulator.reset_stats()
    response = writer("change_appointment").post(
        f"{APPOINTMENTS}{appointment.st_id}/reschedule/",
        {"start": iso(TOMORROW_9), "end": iso(TOMORROW_9 - datetime.timedelta(hours=1))},
        format="json",
    )
    assert response.status_code == 400
    assert "end" in response.json()
    assert simulator.stats.total == 0


def test_appointment_for_an_unknown_job_is_a_400(simulator):
    response = writer("add_appointment").post(
        APPOINTMENTS,
        {"job_st_id": 42, "start": iso(TOMORROW_9), "end": iso(TOMORROW_9 + datetime.timedelta(hours=1))},
        format="json",
    )
    assert response.status_code == 400
    assert "42 does not exist" in response.json()["detail"]


def test_schema_documents_hold_and_the_reference_data():
    schema = client_for(UserFactory()).get("/api/schema/", {"format": "json"}).json()
    hold = schema["paths"]["/api/v1/jobs/jobs/{st_id}/hold/"]["post"]
    assert hold["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/JobHoldInput")
    for path in REFERENCE_URLS:
        assert f"/api/v1/jobs/{path}/" in schema["paths"], path
