from dispatch.filtersets import (
    AppointmentAssignmentFilterSet,
    BusinessUnitFilterSet,
    EmployeeFilterSet,
    NonJobAppointmentFilterSet,
    TagTypeFilterSet,
    TeamFilterSet,
    TechnicianFilterSet,
    TechnicianShiftFilterSet,
    UserRoleFilterSet,
    ZoneFilterSet,
)
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
from servicetitan.api.views import MirrorViewSet


class TechnicianViewSet(MirrorViewSet):
    queryset = Technician.objects.all()
    filterset_class = TechnicianFilterSet
    search_fields = ("name", "email", "login_name")


class TeamViewSet(MirrorViewSet):
    queryset = Team.objects.all()
    filterset_class = TeamFilterSet
    search_fields = ("name",)


class ZoneViewSet(MirrorViewSet):
    queryset = Zone.objects.all()
    filterset_class = ZoneFilterSet
    search_fields = ("name",)


class EmployeeViewSet(MirrorViewSet):
    queryset = Employee.objects.all()
    filterset_class = EmployeeFilterSet
    search_fields = ("name", "email", "login_name")


class BusinessUnitViewSet(MirrorViewSet):
    queryset = BusinessUnit.objects.all()
    filterset_class = BusinessUnitFilterSet
    search_fields = ("name", "official_name")


class TagTypeViewSet(MirrorViewSet):
    queryset = TagType.objects.all()
    filterset_class = TagTypeFilterSet
    search_fields = ("name", "code")


class UserRoleViewSet(MirrorViewSet):
    queryset = UserRole.objects.all()
    filterset_class = UserRoleFilterSet
    search_fields = ("name",)


class AppointmentAssignmentViewSet(MirrorViewSet):
    """Who was on which appointment: `?appointment=<ServiceTitan id>` or `?technician=<ServiceTitan id>`."""

    queryset = AppointmentAssignment.objects.all()
    filterset_class = AppointmentAssignmentFilterSet
    search_fields = ("technician_name",)


class TechnicianShiftViewSet(MirrorViewSet):
    queryset = TechnicianShift.objects.all()
    filterset_class = TechnicianShiftFilterSet
    search_fields = ("title", "note")


class NonJobAppointmentViewSet(MirrorViewSet):
    queryset = NonJobAppointment.objects.all()
    filterset_class = NonJobAppointmentFilterSet
    search_fields = ("name", "summary")
