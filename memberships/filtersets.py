from memberships.models import (
    Membership,
    MembershipType,
    RecurringService,
    RecurringServiceEvent,
    RecurringServiceType,
    ServiceAgreement,
)
from servicetitan.api.filtersets import MirrorFilterSet

IDS = ["exact", "in"]
PERIOD = ["gte", "lt"]
NAME = ["exact", "icontains"]


class MembershipTypeFilterSet(MirrorFilterSet):
    class Meta:
        model = MembershipType
        fields = {"name": NAME}


class MembershipFilterSet(MirrorFilterSet):
    class Meta:
        model = Membership
        fields = {
            "membership_type_st_id": IDS,
            "customer_st_id": IDS,
            "location_st_id": IDS,
            "status": ["exact"],
            "billing_frequency": ["exact"],
            "starts_on": PERIOD,
            "ends_on": PERIOD,
        }


class RecurringServiceTypeFilterSet(MirrorFilterSet):
    class Meta:
        model = RecurringServiceType
        fields = {"name": NAME, "recurrence_type": ["exact"]}


class RecurringServiceFilterSet(MirrorFilterSet):
    class Meta:
        model = RecurringService
        fields = {
            "membership_st_id": IDS,
            "location_st_id": IDS,
            "recurring_service_type_st_id": IDS,
            "recurrence_type": ["exact"],
        }


class RecurringServiceEventFilterSet(MirrorFilterSet):
    class Meta:
        model = RecurringServiceEvent
        fields = {
            "recurring_service_st_id": IDS,
            "membership_st_id": IDS,
            "job_st_id": IDS,
            "status": ["exact"],
            "date": PERIOD,
        }


class ServiceAgreementFilterSet(MirrorFilterSet):
    class Meta:
        model = ServiceAgreement
        fields = {
            "customer_st_id": IDS,
            "business_unit_st_id": IDS,
            "status": ["exact"],
            "start_date": PERIOD,
            "end_date": PERIOD,
        }
