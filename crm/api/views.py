from crm import services
from crm.api.serializers import (
    CustomerCreateInput,
    CustomerUpdateInput,
    LocationCreateInput,
    LocationUpdateInput,
)
from crm.filtersets import (
    BookingFilterSet,
    ContactFilterSet,
    CustomerContactFilterSet,
    CustomerFilterSet,
    LeadFilterSet,
    LocationFilterSet,
)
from crm.models import Booking, Contact, Customer, CustomerContact, Lead, Location
from servicetitan.api.views import CreateThroughMixin, MirrorViewSet, UpdateThroughMixin


class CustomerViewSet(CreateThroughMixin, UpdateThroughMixin, MirrorViewSet):
    queryset = Customer.objects.all()
    filterset_class = CustomerFilterSet
    search_fields = ("name", "street", "city", "zip")
    create_input, create_service = CustomerCreateInput, staticmethod(services.create_customer)
    update_input, update_service = CustomerUpdateInput, staticmethod(services.update_customer)


class LocationViewSet(CreateThroughMixin, UpdateThroughMixin, MirrorViewSet):
    queryset = Location.objects.all()
    filterset_class = LocationFilterSet
    search_fields = ("name", "street", "city", "zip")
    create_input, create_service = LocationCreateInput, staticmethod(services.create_location)
    update_input, update_service = LocationUpdateInput, staticmethod(services.update_location)


class ContactViewSet(MirrorViewSet):
    queryset = Contact.objects.all()
    filterset_class = ContactFilterSet
    search_fields = ("name", "title")


class CustomerContactViewSet(MirrorViewSet):
    """A customer's phone numbers and e-mail addresses: `?customer=<ServiceTitan id>`."""

    queryset = CustomerContact.objects.all()
    filterset_class = CustomerContactFilterSet
    search_fields = ("value", "memo")


class BookingViewSet(MirrorViewSet):
    queryset = Booking.objects.all()
    filterset_class = BookingFilterSet
    search_fields = ("name", "summary", "external_id", "street", "city", "zip")


class LeadViewSet(MirrorViewSet):
    """Leads to follow up: `?customer=<ServiceTitan id>`, `?status=Open`, `?tag_type=<ServiceTitan id>`."""

    queryset = Lead.objects.all()
    filterset_class = LeadFilterSet
    search_fields = ("summary", "lead_customer_name", "lead_phone", "lead_email")
