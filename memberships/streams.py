from servicetitan.sync.streams import Stream

STREAMS = [
    Stream("memberships.membership-types", "memberships.RawMembershipType", "memberships.MembershipType"),
    Stream(
        "memberships.memberships",
        "memberships.RawMembership",
        "memberships.Membership",
        depends_on=("memberships.membership-types",),
    ),
    Stream(
        "memberships.recurring-service-types", "memberships.RawRecurringServiceType", "memberships.RecurringServiceType"
    ),
    Stream(
        "memberships.recurring-services",
        "memberships.RawRecurringService",
        "memberships.RecurringService",
        depends_on=("memberships.memberships", "memberships.recurring-service-types"),
    ),
    Stream(
        "memberships.recurring-service-events",
        "memberships.RawRecurringServiceEvent",
        "memberships.RecurringServiceEvent",
        depends_on=("memberships.recurring-services",),
    ),
    Stream("memberships.service-agreements", "memberships.RawServiceAgreement", "memberships.ServiceAgreement"),
]
