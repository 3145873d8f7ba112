from rest_framework import serializers

from crm.models import Customer
from servicetitan.api.serializers import AddressSerializer, ServiceTitanBodySerializer


# --- Read ---------------------------------------------------------------------------------------------------------------
# --- Write-through (ServiceTitan's request bodies, in LAZI's names) ------------------------------------------------------
class NewLocationInput(ServiceTitanBodySerializer):
    name = serializers.CharField(max_length=255)
    address = AddressSerializer()


class CustomerCreateInput(ServiceTitanBodySerializer):
    name = serializers.CharField(max_length=255)
    type = serializers.ChoiceField(Customer.Type.choices, required=False)
    address = AddressSerializer()
    # ServiceTitan creates a customer with its locations; without any, one at the customer's address.
    locations = NewLocationInput(many=True, required=False)
    do_not_mail = serializers.BooleanField(required=False)
    do_not_service = serializers.BooleanField(required=False)
    national_account = serializers.BooleanField(required=False)
    tax_exempt = serializers.BooleanField(required=False)
    payment_term_id = serializers.IntegerField(required=False)
    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)


class CustomerUpdateInput(ServiceTitanBodySerializer):
    name = serializers.CharField(max_length=255)
    type = serializers.ChoiceField(Customer.Type.choices)
    # A partial address is completed from the mirror: ServiceTitan wants it whole.
    address = AddressSerializer()
    active = serializers.BooleanField()
    do_not_mail = serializers.BooleanField()
    do_not_service = serializers.BooleanField()
    national_account = serializers.BooleanField()
    tax_exempt = serializers.BooleanField()
    payment_term_id = serializers.IntegerField()
    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2)


class LocationCreateInput(ServiceTitanBodySerializer):
    customer_st_id = serializers.IntegerField()
    name = serializers.CharField(max_length=255)
    address = AddressSerializer()


class LocationUpdateInput(ServiceTitanBodySerializer):
    customer_st_id = serializers.IntegerField()
    name = serializers.CharField(max_length=255)
    address = AddressSerializer()
    active = serializers.BooleanField()
    tax_zone_id = serializers.IntegerField()
