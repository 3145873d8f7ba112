from dispatch.filtersets import (
    BusinessUnitFilterSet,
    EmployeeFilterSet,
    TagTypeFilterSet,
    TeamFilterSet,
    TechnicianFilterSet,
    UserRoleFilterSet,
    ZoneFilterSet,
)
from dispatch.models import BusinessUnit, Employee, TagType, Team, Technician, UserRole, Zone
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
