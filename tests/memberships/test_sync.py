import pytest

from memberships.models import (
    Membership,
    MembershipType,
    RecurringService,
    RecurringServiceEvent,
    RecurringServiceType,
    ServiceAgreement,
)
from tests.servicetitan.sync_support import assert_mirror_equals
from tests.sync_support import check_sync, money, sync, text, when

pytestmark = pytest.mark.django_db
EXPORTED = (
    "memberships.membership-types",
    "memberships.memberships",
    "memberships.recurring-service-types",
    "memberships.recurring-services",
    "memberships.recurring-service-events",
    "memberships.service-agreements",
)


def test_sync_mirrors_memberships_recurring_services_and_agreements(simulator):
    check_sync(
        simulator,
        {
            "memberships.membership-types": (
                MembershipType,
                lambda r: {"name": r["name"], "discount": money(r["discount"])},
            ),
            "memberships.memberships": (
                Membership,
                lambda r: {
                    "membership_type_st_id": r["membershipTypeId"],
                    "customer_st_id": r["customerId"],
                    "status": r["status"],
                    "billing_frequency": r["billingFrequency"],
                    "starts_on": when(r["from"]),
                    "ends_on": when(r["to"]),
                },
            ),
            "memberships.recurring-service-types": (
                RecurringServiceType,
                lambda r: {"name": text(r["name"]), "recurrence_type": r["recurrenceType"]},
            ),
            "memberships.recurring-services": (
                RecurringService,
                lambda r: {
                    "name": r["name"],
                    "membership_st_id": r["membershipId"],
                    "recurring_service_type_st_id": r["recurringServiceTypeId"],
                    "recurrence_months": r["recurrenceMonths"],
                },
            ),
            "memberships.recurring-service-events": (
                RecurringServiceEvent,
                lambda r: {
                    "recurring_service_st_id": r["locationRecurringServiceId"],
                    "status": r["status"],
                    "date": when(r["date"]),
                    "job_st_id": r["jobId"],
                },
            ),
            "memberships.service-agreements": (
                ServiceAgreement,
                lambda r: {
                    "name": r["name"],
                    "status": r["status"],
                    "location_st_ids": r["locationIds"],
                    "total_agreement_price": money(r["totalAgreementPrice"]),
                },
            ),
        },
    )
    assert_mirror_equals(simulator, EXPORTED)


def test_deleted_memberships_come_through_the_export(simulator):
    sync(["memberships"], full=True)
    (gone,) = simulator.dataset.delete("memberships.memberships", 1)
    sync(["memberships"], full=False)
    assert Membership.objects.get(st_id=gone).active is False
    assert_mirror_equals(simulator, EXPORTED)
    service = RecurringService.objects.select_related("membership").exclude(membership=None).first()
    assert service.membership.st_id == service.membership_st_id
