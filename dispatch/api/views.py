from dispatch.api import serializers
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
    serializer_class = serializers.TechnicianSerializer
    filterset_class = TechnicianFilterSet
    search_fields = ("name", "email", "login_name")


class TeamViewSet(MirrorViewSet):
    queryset = Team.objects.all()
    serializer_class = serializers.TeamSerializer
    filterset_class = TeamFilterSet
    search_fields = ("name",)


class ZoneViewSet(MirrorViewSet):
    queryset = Zone.objects.all()
    serializer_class = serializers.ZoneSerializer
    filterset_class = ZoneFilterSet
    search_fields = ("name",)


class EmployeeViewSet(MirrorViewSet):
    queryset = Employee.objects.all()
    serializer_class = serializers.EmployeeSerializer
    filterset_class = EmployeeFilterSet
    search_fields = ("name", "email", "login_name")


class BusinessUnitViewSet(MirrorViewSet):
    queryset = BusinessUnit.objects.all()
    serializer_class = serializers.BusinessUnitSerializer
    filterset_class = BusinessUnitFilterSet
    search_fields = ("name", "official_name")


class TagTypeViewSet(MirrorViewSet):
    queryset = TagType.objects.all()
    serializer_class = serializers.TagTypeSerializer
    filterset_class = TagTypeFilterSet
    search_fields = ("name", "code")


class UserRoleViewSet(MirrorViewSet):
    queryset = UserRole.objects.all()
    serializer_class = serializers.UserRoleSerializer
    filterset_class = UserRoleFilterSet
    search_fields = ("name",)
