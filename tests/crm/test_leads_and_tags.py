"""Bookings, leads and the tags on customers, locations and leads (issue 13's CRM mirror)."""

import factory
import pytest
from django.urls import reverse

from crm import selectors
from crm.models import Booking, Customer, Lead, Location
from tests.admin_support import check_mirror_admin, staff_client
from tests.api_support import check_read_endpoint, check_read_only, client_for, st_ids
from tests.dispatch.test_settings_lists import TagTypeFactory
from tests.factories import CustomerFactory, LocationFactory, MirrorFactory, viewer
from tests.servicetitan.sync_support import assert_mirror_equals
from tests.sync_support import check_sync, text, when

pytestmark = pytest.mark.django_db


class BookingFactory(MirrorFactory):
    class Meta:
        model = Booking

    name = factory.Sequence(lambda n: f"Booker {n}")
    source = "Website"
    status = Booking.Status.NEW


class LeadFactory(MirrorFactory):
    class Meta:
        model = Lead

    status = Lead.Status.OPEN
    priority = "Normal"
    summary = factory.Sequence(lambda n: f"Lead summary {n}")


@pytest.mark.parametrize(("route", "factory"), [("bookings", BookingFactory), ("leads", LeadFactory)])
def test_read_endpoint_and_admin(route, factory):
    check_read_endpoint(f"/api/v1/crm/{route}/", factory)
    check_read_only(f"/api/v1/crm/{route}/", factory)
    check_mirror_admin(factory)


def test_filters():
    client = client_for(viewer())
    customer = CustomerFactory()
    open_lead = LeadFactory(customer_st_id=customer.st_id, status="Open")
    LeadFactory(status="Dismissed")
    assert st_ids(client.get("/api/v1/crm/leads/", {"customer": customer.st_id})) == {str(open_lead.st_id)}
    assert st_ids(client.get("/api/v1/crm/leads/", {"status": "Open"})) == {str(open_lead.st_id)}
    converted = BookingFactory(status="Converted", job_st_id=77)
    BookingFactory()
    assert st_ids(client.get("/api/v1/crm/bookings/", {"status": "Converted"})) == {str(converted.st_id)}
    assert st_ids(client.get("/api/v1/crm/bookings/", {"search": converted.name})) == {str(converted.st_id)}


@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("/api/v1/crm/customers/", CustomerFactory),
        ("/api/v1/crm/locations/", LocationFactory),
        ("/api/v1/crm/leads/", LeadFactory),
    ],
)
def test_filter_by_tag(url, factory):
    tagged = factory(tag_type_ids=[5, 42])
    factory(tag_type_ids=[421])  # a longer id with the same digits is another tag
    factory(tag_type_ids=[])
    client = client_for(viewer())
    assert st_ids(client.get(url, {"tag_type": 42})) == {str(tagged.st_id)}
    assert st_ids(client.get(url, {"tag_type": 7})) == set()


def test_tags_read_by_name():
    vip = TagTypeFactory(name="VIP")
    customer = CustomerFactory(tag_type_ids=[vip.st_id, 999])
    assert selectors.tag_names(customer) == ["VIP", "Tag type 999"]
    assert selectors.tag_names(CustomerFactory(tag_type_ids=[])) == []


def test_customer_and_location_pages_name_their_tags_and_leads():
    vip = TagTypeFactory(name="VIP customer")
    pets = TagTypeFactory(name="Pets on site")
    customer = CustomerFactory(tag_type_ids=[vip.st_id])
    location = LocationFactory(customer_st_id=customer.st_id, tag_type_ids=[pets.st_id])
    lead = LeadFactory(customer_st_id=customer.st_id, summary="Quote for a heat pump", priority="High")
    LeadFactory(customer_st_id=customer.st_id, summary="Deleted lead", deleted=True)
    LeadFactory(summary="Another customer's lead")
    client = staff_client(superuser=False, groups=["Viewers"])

    page = client.get(reverse("admin:crm_customer_change", args=[customer.pk])).content.decode()
    assert "VIP customer" in page and "Pets on site" not in page
    assert "Open: Quote for a heat pump" in page and "(High)" in page
    assert reverse("admin:crm_lead_change", args=[lead.pk]) in page
    assert "Deleted lead" not in page and "Another customer&#x27;s lead" not in page

    page = client.get(reverse("admin:crm_location_change", args=[location.pk])).content.decode()
    assert "Pets on site" in page and "VIP customer" not in page


def test_sync_mirrors_bookings_leads_and_tags(simulator):
    check_sync(
        simulator,
        {
            "crm.bookings": (
                Booking,
                lambda r: {
                    "name": r["name"],
                    "source": r["source"],
                    "status": r["status"],
                    "street": r["address"]["street"],
                    "zip": r["address"]["zip"],
                    "start": when(r["start"]),
                    "job_st_id": r["jobId"],
                    "summary": text(r["summary"]),
                },
            ),
            "crm.leads": (
                Lead,
                lambda r: {
                    "status": r["status"],
                    "priority": r["priority"],
                    "customer_st_id": r["customerId"],
                    "booking_st_id": r["bookingId"],
                    "follow_up_date": when(r["followUpDate"]),
                    "tag_type_ids": r["tagTypeIds"] or [],
                    "lead_customer_name": text(r["leadCustomerName"]),
                },
            ),
            "crm.customers": (Customer, lambda r: {"tag_type_ids": r["tagTypeIds"] or []}),
            "crm.locations": (Location, lambda r: {"tag_type_ids": r["tagTypeIds"] or []}),
        },
    )
    assert_mirror_equals(simulator, ("crm.bookings", "crm.leads"))
    # Some simulated customers are tagged, with the tenant's tag types.
    tag_types = set(simulator.dataset.ids("dispatch.tag-types"))
    tagged = [r for r in simulator.dataset.records("crm.customers") if r["tagTypeIds"]]
    assert tagged and all(set(r["tagTypeIds"]) <= tag_types for r in tagged)


def test_a_tag_id_beyond_64_bits_is_a_400():
    client = client_for(viewer())
    assert client.get("/api/v1/crm/customers/", {"tag_type": 2**64}).status_code == 400
    assert client.get("/api/v1/crm/leads/", {"customer": 2**64}).status_code == 400
