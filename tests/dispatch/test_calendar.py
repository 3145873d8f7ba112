"""Who was on which appointment, technicians' shifts and non-job appointments (issue 13's dispatch calendar)."""

import pytest
from django.urls import reverse

from dispatch.models import AppointmentAssignment, NonJobAppointment, TechnicianShift
from servicetitan.registry import get_resource
from tests.admin_support import check_mirror_admin, staff_client
from tests.api_support import check_read_endpoint, check_read_only, client_for, st_ids
from tests.dispatch.factories import (
    FACTORIES,
    AppointmentAssignmentFactory,
    NonJobAppointmentFactory,
    TechnicianShiftFactory,
)
from tests.factories import AppointmentFactory, TechnicianFactory, viewer
from tests.servicetitan.sync_support import assert_mirror_equals
from tests.sync_support import check_sync, text, when

pytestmark = pytest.mark.django_db

CALENDAR = tuple(f"dispatch.{route}" for route in FACTORIES)


@pytest.mark.parametrize(("route", "factory"), FACTORIES.items(), ids=list(FACTORIES))
def test_read_endpoint_and_admin(route, factory):
    check_read_endpoint(f"/api/v1/dispatch/{route}/", factory)
    check_read_only(f"/api/v1/dispatch/{route}/", factory)
    check_mirror_admin(factory)


def test_filters_by_appointment_technician_and_type():
    client = client_for(viewer())
    mine = AppointmentAssignmentFactory(appointment_st_id=111, technician_st_id=7)
    AppointmentAssignmentFactory(appointment_st_id=222, technician_st_id=8)
    url = "/api/v1/dispatch/appointment-assignments/"
    assert st_ids(client.get(url, {"appointment": 111})) == {str(mine.st_id)}
    assert st_ids(client.get(url, {"technician": 7})) == {str(mine.st_id)}
    assert st_ids(client.get(url, {"search": mine.technician_name})) == {str(mine.st_id)}

    off = TechnicianShiftFactory(shift_type=TechnicianShift.ShiftType.TIME_OFF, technician_st_id=7)
    TechnicianShiftFactory(technician_st_id=8)
    url = "/api/v1/dispatch/technician-shifts/"
    assert st_ids(client.get(url, {"shift_type": "TimeOff"})) == {str(off.st_id)}
    assert st_ids(client.get(url, {"technician": 7})) == {str(off.st_id)}

    day = NonJobAppointmentFactory(all_day=True)
    NonJobAppointmentFactory(all_day=False)
    assert st_ids(client.get("/api/v1/dispatch/non-job-appointments/", {"all_day": "true"})) == {str(day.st_id)}


def test_the_appointment_page_names_its_technicians():
    appointment = AppointmentFactory()
    technician = TechnicianFactory(name="Ann Mirrored")
    AppointmentAssignmentFactory(
        appointment_st_id=appointment.st_id, technician_st_id=technician.st_id, technician_name="Ann (old name)"
    )
    # A technician not mirrored (yet): ServiceTitan's name on the assignment.
    AppointmentAssignmentFactory(appointment_st_id=appointment.st_id, technician_name="Bob Unmirrored", is_paused=True)
    AppointmentAssignmentFactory(appointment_st_id=appointment.st_id, technician_name="Gone Deleted", deleted=True)
    AppointmentAssignmentFactory(technician_name="Someone Elsewhere")
    page = (
        staff_client(superuser=False, groups=["Viewers"])
        .get(reverse("admin:jobs_appointment_change", args=[appointment.pk]))
        .content.decode()
    )
    assert "Ann Mirrored" in page
    assert "Ann (old name)" not in page
    assert "Bob Unmirrored" in page and "(paused)" in page
    assert "Gone Deleted" not in page
    assert "Someone Elsewhere" not in page


def test_registry_uses_the_export_where_there_is_one():
    assert (
        get_resource("dispatch.appointment-assignments").export_path
        == "/tenant/{tenant}/export/appointment-assignments"
    )
    # Non-job appointments filter activity with a boolean: `activeOnly=false` lists inactive ones too.
    assert get_resource("dispatch.non-job-appointments").include_inactive == ("activeOnly", "false")


def test_sync_mirrors_the_calendar(simulator):
    check_sync(
        simulator,
        {
            "dispatch.appointment-assignments": (
                AppointmentAssignment,
                lambda r: {
                    "appointment_st_id": r["appointmentId"],
                    "job_st_id": r["jobId"],
                    "technician_st_id": r["technicianId"],
                    "technician_name": r["technicianName"],
                    "status": r["status"],
                    "is_paused": r["isPaused"],
                    "assigned_on": when(r["assignedOn"]),
                },
            ),
            "dispatch.technician-shifts": (
                TechnicianShift,
                lambda r: {
                    "technician_st_id": r["technicianId"],
                    "shift_type": r["shiftType"],
                    "title": r["title"],
                    "note": text(r["note"]),
                    "start": when(r["start"]),
                    "end": when(r["end"]),
                },
            ),
            "dispatch.non-job-appointments": (
                NonJobAppointment,
                lambda r: {
                    "technician_st_id": r["technicianId"],
                    "name": r["name"],
                    "duration": r["duration"],
                    "all_day": r["allDay"],
                    "start": when(r["start"]),
                    "created_by_id": r["createdById"],
                },
            ),
        },
    )
    assert_mirror_equals(simulator, ("dispatch.appointment-assignments",))
    assert_mirror_equals(simulator, CALENDAR[1:], kind="list")


def test_simulated_assignments_point_at_real_appointments_and_technicians(simulator):
    dataset = simulator.dataset
    appointments = {r["id"]: r for r in dataset.records("jobs.appointments")}
    technicians = {r["id"]: r for r in dataset.records("dispatch.technicians")}
    for assignment in dataset.records("dispatch.appointment-assignments"):
        appointment = appointments[assignment["appointmentId"]]
        assert assignment["jobId"] == appointment["jobId"]
        assert assignment["technicianName"] == technicians[assignment["technicianId"]]["name"]


def test_an_appointment_id_beyond_64_bits_is_a_400():
    response = client_for(viewer()).get("/api/v1/dispatch/appointment-assignments/", {"appointment": 2**64})
    assert response.status_code == 400
