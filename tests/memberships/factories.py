import factory

from memberships.models import (
    Membership,
    MembershipType,
    RecurringService,
    RecurringServiceEvent,
    RecurringServiceType,
    ServiceAgreement,
)
from tests.factories import MirrorFactory


class MembershipTypeFactory(MirrorFactory):
    class Meta:
        model = MembershipType

    name = factory.Sequence(lambda n: f"Plan {n}")


class MembershipFactory(MirrorFactory):
    class Meta:
        model = Membership

    membership_type_st_id = factory.LazyFunction(lambda: MembershipTypeFactory().st_id)
    status = "Active"


class RecurringServiceTypeFactory(MirrorFactory):
    class Meta:
        model = RecurringServiceType

    name = factory.Sequence(lambda n: f"Tune-up type {n}")


class RecurringServiceFactory(MirrorFactory):
    class Meta:
        model = RecurringService

    name = factory.Sequence(lambda n: f"Tune-up {n}")
    membership_st_id = factory.LazyFunction(lambda: MembershipFactory().st_id)


class RecurringServiceEventFactory(MirrorFactory):
    class Meta:
        model = RecurringServiceEvent

    recurring_service_st_id = factory.LazyFunction(lambda: RecurringServiceFactory().st_id)
    status = "NotAttempted"


class ServiceAgreementFactory(MirrorFactory):
    class Meta:
        model = ServiceAgreement

    name = factory.Sequence(lambda n: f"Agreement {n}")
    status = "Activated"


FACTORIES = {
    "membership-types": MembershipTypeFactory,
    "memberships": MembershipFactory,
    "recurring-service-types": RecurringServiceTypeFactory,
    "recurring-services": RecurringServiceFactory,
    "recurring-service-events": RecurringServiceEventFactory,
    "service-agreements": ServiceAgreementFactory,
}
