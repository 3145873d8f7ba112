from memberships.models import (
    Membership,
    MembershipType,
    RecurringService,
    RecurringServiceEvent,
    RecurringServiceType,
    ServiceAgreement,
)
from servicetitan.api.serializers import MirrorSerializer


class MembershipTypeSerializer(MirrorSerializer):
    class Meta:
        model = MembershipType


class MembershipSerializer(MirrorSerializer):
    class Meta:
        model = Membership


class RecurringServiceTypeSerializer(MirrorSerializer):
    class Meta:
        model = RecurringServiceType


class RecurringServiceSerializer(MirrorSerializer):
    class Meta:
        model = RecurringService


class RecurringServiceEventSerializer(MirrorSerializer):
    class Meta:
        model = RecurringServiceEvent


class ServiceAgreementSerializer(MirrorSerializer):
    class Meta:
        model = ServiceAgreement
