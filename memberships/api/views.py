from memberships.filtersets import (
    MembershipFilterSet,
    MembershipTypeFilterSet,
    RecurringServiceEventFilterSet,
    RecurringServiceFilterSet,
    RecurringServiceTypeFilterSet,
    ServiceAgreementFilterSet,
)
from memberships.models import (
    Membership,
    MembershipType,
    RecurringService,
    RecurringServiceEvent,
    RecurringServiceType,
    ServiceAgreement,
)
from servicetitan.api.views import MirrorViewSet


class MembershipTypeViewSet(MirrorViewSet):
    queryset = MembershipType.objects.all()
    filterset_class = MembershipTypeFilterSet
    search_fields = ("name",)


class MembershipViewSet(MirrorViewSet):
    queryset = Membership.objects.all()
    filterset_class = MembershipFilterSet
    search_fields = ("memo",)


class RecurringServiceTypeViewSet(MirrorViewSet):
    queryset = RecurringServiceType.objects.all()
    filterset_class = RecurringServiceTypeFilterSet
    search_fields = ("name",)


class RecurringServiceViewSet(MirrorViewSet):
    queryset = RecurringService.objects.all()
    filterset_class = RecurringServiceFilterSet
    search_fields = ("name",)


class RecurringServiceEventViewSet(MirrorViewSet):
    queryset = RecurringServiceEvent.objects.all()
    filterset_class = RecurringServiceEventFilterSet
    search_fields = ("recurring_service_name", "membership_name")


class ServiceAgreementViewSet(MirrorViewSet):
    queryset = ServiceAgreement.objects.all()
    filterset_class = ServiceAgreementFilterSet
    search_fields = ("name", "summary")
