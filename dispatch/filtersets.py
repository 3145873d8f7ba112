from dispatch.models import BusinessUnit, Employee, TagType, Team, Technician, UserRole, Zone
from servicetitan.api.filtersets import MirrorFilterSet

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
