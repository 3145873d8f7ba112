"""The dispatch mirror: technicians, teams and zones, plus the employees and business units they refer to.

Technicians, employees and business units live under ServiceTitan's `settings` module; teams and zones under
`dispatch`.
"""

from django.db import models

from servicetitan.mirroring import MONEY, GeoAddressColumns, address_mapping, mirror_relation
from servicetitan.models import RawRecord, SyncedModel


# --- Raw: the full JSON of each record ---------------------------------------------------------------------------------
class RawTechnician(RawRecord):
    pass


class RawEmployee(RawRecord):
    pass


class RawBusinessUnit(RawRecord):
    pass


class RawTeam(RawRecord):
    pass


class RawZone(RawRecord):
    pass


class RawTagType(RawRecord):
    pass


class RawUserRole(RawRecord):
    pass


class RawAppointmentAssignment(RawRecord):
    pass


class RawTechnicianShift(RawRecord):
    pass


class RawNonJobAppointment(RawRecord):
    pass


# --- Master -----------------------------------------------------------------------------------------------------------
class BusinessUnit(GeoAddressColumns, SyncedModel):
    name = models.TextField()
    official_name = models.TextField(blank=True)
    email = models.TextField(blank=True)
    phone_number = models.TextField(blank=True)
    currency = models.TextField(blank=True)
    default_tax_rate = models.DecimalField(max_digits=10, decimal_places=6, null=True, blank=True)
    trade = models.TextField(blank=True)
    division = models.TextField(blank=True)
    account_code = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "trade": "trade.name",
        "division": "division.name",
        **address_mapping("address", geo=True),
    }

    class Meta(SyncedModel.Meta):
        ordering = ["name"]


class Employee(SyncedModel):
    name = models.TextField()
    first_name = models.TextField(blank=True)
    last_name = models.TextField(blank=True)
    role = models.TextField(blank=True)
    email = models.TextField(blank=True)
    phone_number = models.TextField(blank=True)
    login_name = models.TextField(blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit = mirror_relation("dispatch.BusinessUnit", "business_unit_st_id", related_name="employees")
    manager_st_id = models.BigIntegerField(null=True, blank=True)
    hourly_rate = models.DecimalField(**MONEY)
    start_date = models.DateTimeField(null=True, blank=True)
    termination_date = models.DateTimeField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name"]


class Technician(SyncedModel):
    name = models.TextField()
    first_name = models.TextField(blank=True)
    last_name = models.TextField(blank=True)
    email = models.TextField(blank=True)
    phone_number = models.TextField(blank=True)
    mobile_phone = models.TextField(blank=True)
    login_name = models.TextField(blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit = mirror_relation("dispatch.BusinessUnit", "business_unit_st_id", related_name="technicians")
    main_zone_st_id = models.BigIntegerField(null=True, blank=True)
    main_zone = mirror_relation("dispatch.Zone", "main_zone_st_id", related_name="main_technicians")
    zone_st_ids = models.JSONField(default=list, blank=True)
    # ServiceTitan gives the team's name here, not its id.
    team = models.TextField(blank=True)
    status = models.TextField(blank=True)
    is_managed_tech = models.BooleanField(default=False)
    daily_goal = models.DecimalField(**MONEY)
    burden_rate = models.DecimalField(**MONEY)
    hourly_rate = models.DecimalField(**MONEY)
    commission_rate = models.DecimalField(**MONEY)
    start_date = models.DateTimeField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name"]


class Team(SyncedModel):
    name = models.TextField(blank=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "created_by_id": "createdBy",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["name"]


class Zone(SyncedModel):
    name = models.TextField(blank=True)
    zips = models.JSONField(default=list, blank=True)
    cities = models.JSONField(default=list, blank=True)
    territory_numbers = models.JSONField(default=list, blank=True)
    service_days_enabled = models.BooleanField(default=False)
    service_days = models.JSONField(default=list, blank=True)
    business_unit_st_ids = models.JSONField(default=list, blank=True)
    technician_st_ids = models.JSONField(default=list, blank=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "business_unit_st_ids": "businessUnits",
        "technician_st_ids": "technicians",
        "created_by_id": "createdBy",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["name"]


class TagType(SyncedModel):
    """A tag staff put on jobs, customers and locations (ServiceTitan settings); `tag_type_ids` elsewhere point here."""

    name = models.TextField(blank=True)
    code = models.TextField(blank=True)
    color = models.TextField(blank=True)
    importance = models.TextField(blank=True)
    is_conversion_opportunity = models.BooleanField(default=False)
    allow_to_use_on_timesheet_activity = models.BooleanField(default=False)
    is_visible_on_dispatch_board = models.BooleanField(default=False)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]


class UserRole(SyncedModel):
    name = models.TextField(blank=True)
    employee_type = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]


class AppointmentAssignment(SyncedModel):
    """Who was on which appointment: one technician assigned to one job appointment (ServiceTitan's dispatch)."""

    class Status(models.TextChoices):
        SCHEDULED = "Scheduled"
        DISPATCHED = "Dispatched"
        WORKING = "Working"
        DONE = "Done"

    appointment_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    appointment = mirror_relation("jobs.Appointment", "appointment_st_id", related_name="assignments")
    job_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    job = mirror_relation("jobs.Job", "job_st_id", related_name="appointment_assignments")
    technician_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    technician = mirror_relation("dispatch.Technician", "technician_st_id", related_name="appointment_assignments")
    # ServiceTitan's name of the technician at the time: shown when the technician is not mirrored.
    technician_name = models.TextField(blank=True)
    assigned_by_id = models.BigIntegerField(null=True, blank=True)
    assigned_on = models.DateTimeField(null=True, blank=True)
    status = models.TextField(choices=Status.choices, blank=True)
    is_paused = models.BooleanField(default=False)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["-assigned_on", "-id"]

    def __str__(self):
        return f"{self.technician_label()} on appointment {self.appointment_st_id}"

    def technician_label(self) -> str:
        """The mirrored technician's name, else the one ServiceTitan put on the assignment (select `technician`)."""
        if self.technician is not None:
            return self.technician.name
        return self.technician_name or f"Technician {self.technician_st_id}"


class TechnicianShift(SyncedModel):
    """A technician's working (or on-call, or time-off) hours, which dispatch availability is computed from."""

    class ShiftType(models.TextChoices):
        NORMAL = "Normal"
        ON_CALL = "OnCall", "On call"
        TIME_OFF = "TimeOff", "Time off"

    technician_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    technician = mirror_relation("dispatch.Technician", "technician_st_id", related_name="shifts")
    shift_type = models.TextField(choices=ShiftType.choices, blank=True)
    title = models.TextField(blank=True)
    note = models.TextField(blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    timesheet_code_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["-start", "-id"]

    def __str__(self):
        return self.title or f"Shift {self.st_id}"


class NonJobAppointment(SyncedModel):
    """A technician's calendar entry that is not a job (meeting, training, time off)."""

    technician_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    technician = mirror_relation("dispatch.Technician", "technician_st_id", related_name="non_job_appointments")
    name = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    start = models.DateTimeField(null=True, blank=True)
    # ServiceTitan's time span as given ("01:30:00").
    duration = models.TextField(blank=True)
    timesheet_code_id = models.BigIntegerField(null=True, blank=True)
    all_day = models.BooleanField(default=False)
    show_on_technician_schedule = models.BooleanField(default=False)
    clear_dispatch_board = models.BooleanField(default=False)
    clear_technician_view = models.BooleanField(default=False)
    remove_technician_from_capacity_planning = models.BooleanField(default=False)
    created_by_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["-start", "-id"]
