from dispatch.models import BusinessUnit, Employee, TagType, Team, Technician, UserRole, Zone
from servicetitan.api.serializers import MirrorSerializer


class TechnicianSerializer(MirrorSerializer):
    class Meta:
        model = Technician


class TeamSerializer(MirrorSerializer):
    class Meta:
        model = Team


class ZoneSerializer(MirrorSerializer):
    class Meta:
        model = Zone


class EmployeeSerializer(MirrorSerializer):
    class Meta:
        model = Employee


class BusinessUnitSerializer(MirrorSerializer):
    class Meta:
        model = BusinessUnit


class TagTypeSerializer(MirrorSerializer):
    class Meta:
        model = TagType


class UserRoleSerializer(MirrorSerializer):
    class Meta:
        model = UserRole
