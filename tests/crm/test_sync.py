import pytest

from crm.models import Contact, Customer, CustomerContact, Location
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


def test_sync_links_customers_to_their_contacts(simulator):
    """ServiceTitan's customer contacts (phone numbers, e-mail addresses) come from the customers' contacts export,
    each with its customer's id: a customer lists its contacts."""
    check_sync(
        simulator,
        {
            "crm.customers": (Customer, lambda r: {"name": r["name"]}),
            "crm.customer-contacts": (
                CustomerContact,
                lambda r: {
                    "customer_st_id": r["customerId"],
                    "type": r["type"],
                    "value": r["value"],
                    "memo": text(r["memo"]),
                    "phone_number": r["phoneSettings"]["phoneNumber"],
                    "do_not_text": r["phoneSettings"]["doNotText"],
                    "created_on": when(r["createdOn"]),
                    "st_modified_on": when(r["modifiedOn"]),
                },
            ),
        },
    )
    assert {"Phone", "Email"} <= set(CustomerContact.objects.values_list("type", flat=True))
    customer = Customer.objects.filter(contacts__isnull=False).first()
    assert customer is not None
    expected = {
        r["id"] for r in simulator.dataset.records("crm.customer-contacts") if r["customerId"] == customer.st_id
    }
    assert set(customer.contacts.values_list("st_id", flat=True)) == expected
