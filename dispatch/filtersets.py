from dispatch.models import (
    AppointmentAssignment,
    BusinessUnit,
    Employee,
    NonJobAppointment,
    TagType,
    Team,
    Technician,
    TechnicianShift,
    UserRole,
    Zone,
)
from servicetitan.api.filtersets import IntegerFilter, MirrorFilterSet

TEXT = ["exact", "icontains"]


class TechnicianFilterSet(MirrorFilterSet):
    class Meta:
        model = Technician
        fields = {"name": TEXT, "team": ["exact"], "status": ["exact"], "business_unit_st_id": ["exact", "in"]}


class TeamFilterSet(MirrorFilterSet):
    class Meta:
        model = Team
        fields = {"name": TEXT}


class ZoneFilterSet(MirrorFilterSet):
    class Meta:
        model = Zone
        fields = {"name": TEXT, "service_days_enabled": ["exact"]}


class EmployeeFilterSet(MirrorFilterSet):
    class Meta:
        model = Employee
        fields = {"name": TEXT, "role": ["exact"], "business_unit_st_id": ["exact", "in"]}


class BusinessUnitFilterSet(MirrorFilterSet):
    class Meta:
        model = BusinessUnit
        fields = {"name": TEXT, "trade": ["exact"], "division": ["exact"]}


class TagTypeFilterSet(MirrorFilterSet):
    class Meta:
        model = TagType
        fields = {"name": TEXT, "code": ["exact"], "importance": ["exact"]}


class UserRoleFilterSet(MirrorFilterSet):
    class Meta:
        model = UserRole
        fields = {"name": TEXT, "employee_type": ["exact"]}


class AppointmentAssignmentFilterSet(MirrorFilterSet):
    appointment = IntegerFilter(field_name="appointment_st_id", label="The appointment's ServiceTitan id")
    technician = IntegerFilter(field_name="technician_st_id", label="The technician's ServiceTitan id")

    class Meta:
        model = AppointmentAssignment
        fields = {
            "appointment_st_id": ["exact", "in"],
            "job_st_id": ["exact", "in"],
            "technician_st_id": ["exact", "in"],
            "status": ["exact"],
            "is_paused": ["exact"],
            "assigned_on": ["gte", "lt"],
        }


class TechnicianShiftFilterSet(MirrorFilterSet):
    technician = IntegerFilter(field_name="technician_st_id", label="The technician's ServiceTitan id")

    class Meta:
        model = TechnicianShift
        fields = {
            "technician_st_id": ["exact", "in"],
            "shift_type": ["exact"],
            "title": TEXT,
            "start": ["gte", "lt"],
            "end": ["gt", "lte"],
        }


class NonJobAppointmentFilterSet(MirrorFilterSet):
    technician = IntegerFilter(field_name="technician_st_id", label="The technician's ServiceTitan id")

    class Meta:
        model = NonJobAppointment
        fields = {
            "technician_st_id": ["exact", "in"],
            "name": TEXT,
            "timesheet_code_id": ["exact"],
            "all_day": ["exact"],
            "start": ["gte", "lt"],
        }
