import pytest

from crm.models import Contact, Customer, Location
from tests.sync_support import check_sync, money, text, when

pytestmark = pytest.mark.django_db


def test_sync_mirrors_customers_and_locations(simulator):
    check_sync(
        simulator,
        {
            "crm.customers": (
                Customer,
                lambda r: {
                    "name": r["name"],
                    "type": r["type"],
                    "street": r["address"]["street"],
                    "city": r["address"]["city"],
                    "zip": r["address"]["zip"],
                    "latitude": r["address"]["latitude"],
                    "balance": money(r["balance"]),
                    "do_not_mail": r["doNotMail"],
                    "created_on": when(r["createdOn"]),
                    "st_modified_on": when(r["modifiedOn"]),
                },
            ),
            "crm.locations": (
                Location,
                lambda r: {
                    "customer_st_id": r["customerId"],
                    "name": r["name"],
                    "street": r["address"]["street"],
                    "city": r["address"]["city"],
                    "zone_st_id": r["zoneId"],
                },
            ),
        },
    )
    location = Location.objects.filter(customer__isnull=False).select_related("customer").first()
    assert location.customer.st_id == location.customer_st_id


def test_sync_mirrors_contacts_keyed_by_guid(simulator):
    check_sync(
        simulator,
        {
            "crm.contacts": (
                Contact,
                lambda r: {
                    "name": text(r["name"]),
                    "title": text(r["title"]),
                    "reference_id": text(r["referenceId"]),
                    "is_archived": r["isArchived"],
                },
            ),
        },
    )
