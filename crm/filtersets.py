from django_filters import rest_framework as filters

from crm import selectors
from crm.models import Booking, Contact, Customer, CustomerContact, Lead, Location
from servicetitan.api.filtersets import IntegerFilter, MirrorFilterSet

TEXT = ["exact", "icontains"]
ADDRESS = {"city": TEXT, "state": ["exact"], "zip": ["exact"]}


class TaggedFilterSet(MirrorFilterSet):
    """`?tag_type=<ServiceTitan id>`: the records carrying that tag (customers, locations, leads)."""

    tag_type = IntegerFilter(method="filter_tag_type", label="A tag type's ServiceTitan id")

    def filter_tag_type(self, queryset, name, value):
        return selectors.with_tag(queryset, int(value))


class CustomerFilterSet(TaggedFilterSet):
    class Meta:
        model = Customer
        fields = {
            "name": TEXT,
            "type": ["exact"],
            **ADDRESS,
            "do_not_mail": ["exact"],
            "do_not_service": ["exact"],
            "created_on": ["gte", "lt"],
        }


class LocationFilterSet(TaggedFilterSet):
    class Meta:
        model = Location
        fields = {"customer_st_id": ["exact", "in"], "name": TEXT, **ADDRESS, "zone_st_id": ["exact"]}


class ContactFilterSet(MirrorFilterSet):
    class Meta:
        model = Contact
        fields = {"name": TEXT, "reference_id": ["exact"], "is_archived": ["exact"]}


class CustomerContactFilterSet(MirrorFilterSet):
    customer = filters.NumberFilter(field_name="customer_st_id", label="The customer's ServiceTitan id")

    class Meta:
        model = CustomerContact
        fields = {"customer_st_id": ["exact", "in"], "type": ["exact"], "value": TEXT, "do_not_text": ["exact"]}


class BookingFilterSet(MirrorFilterSet):
    class Meta:
        model = Booking
        fields = {
            "status": ["exact"],
            "source": ["exact"],
            "priority": ["exact"],
            "name": TEXT,
            "job_st_id": ["exact"],
            "business_unit_st_id": ["exact", "in"],
            "start": ["gte", "lt"],
            "created_on": ["gte", "lt"],
        }


class LeadFilterSet(TaggedFilterSet):
    customer = IntegerFilter(field_name="customer_st_id", label="The customer's ServiceTitan id")

    class Meta:
        model = Lead
        fields = {
            "status": ["exact"],
            "priority": ["exact"],
            "customer_st_id": ["exact", "in"],
            "location_st_id": ["exact"],
            "booking_st_id": ["exact"],
            "business_unit_st_id": ["exact", "in"],
            "follow_up_date": ["gte", "lt"],
            "created_on": ["gte", "lt"],
        }
