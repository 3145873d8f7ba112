"""Factories for dispatch's calendar records (the shared ones are in tests/factories.py), by API route."""

import datetime

import factory
from django.utils import timezone

from dispatch.models import AppointmentAssignment, NonJobAppointment, TechnicianShift
from tests.factories import MirrorFactory


class AppointmentAssignmentFactory(MirrorFactory):
    class Meta:
        model = AppointmentAssignment

    appointment_st_id = factory.Sequence(lambda n: 50_000 + n)
    job_st_id = factory.Sequence(lambda n: 60_000 + n)
    technician_st_id = factory.Sequence(lambda n: 70_000 + n)
    technician_name = factory.Sequence(lambda n: f"Tech {n}")
    status = AppointmentAssignment.Status.SCHEDULED
    assigned_on = factory.LazyFunction(timezone.now)


class TechnicianShiftFactory(MirrorFactory):
    class Meta:
        model = TechnicianShift

    technician_st_id = factory.Sequence(lambda n: 70_000 + n)
    shift_type = TechnicianShift.ShiftType.NORMAL
    title = factory.Sequence(lambda n: f"Shift {n}")
    start = factory.LazyFunction(timezone.now)
    end = factory.LazyAttribute(lambda shift: shift.start + datetime.timedelta(hours=8))


class NonJobAppointmentFactory(MirrorFactory):
    class Meta:
        model = NonJobAppointment

    technician_st_id = factory.Sequence(lambda n: 70_000 + n)
    name = factory.Sequence(lambda n: f"Meeting {n}")
    start = factory.LazyFunction(timezone.now)
    duration = "01:00:00"


FACTORIES = {
    "appointment-assignments": AppointmentAssignmentFactory,
    "technician-shifts": TechnicianShiftFactory,
    "non-job-appointments": NonJobAppointmentFactory,
}
