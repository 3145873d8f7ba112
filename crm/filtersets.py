from django_filters import rest_framework as filters

from crm.models import Contact, Customer, CustomerContact, Location
from servicetitan.api.filtersets import MirrorFilterSet

TEXT = ["exact", "icontains"]
ADDRESS = {"city": TEXT, "state": ["exact"], "zip": ["exact"]}


class CustomerFilterSet(MirrorFilterSet):
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


class LocationFilterSet(MirrorFilterSet):
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
