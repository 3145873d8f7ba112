from crm.models import Contact, Customer, Location
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
