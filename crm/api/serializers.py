from rest_framework import serializers

from crm.models import Customer
from servicetitan.api.serializers import AddressSerializer, ServiceTitanBodySerializer
from servicetitan.mirroring import address_of


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

    def validate_address(self, value):
        # ServiceTitan's customer update (UpdateCustomerAddress) requires latitude and longitude, never null; an
        # address the mirror has without them cannot be completed, so the caller must give them.
        row = self.context.get("row")
        whole = {**(address_of(row) if row is not None else {}), **value}
        missing = [part for part in ("latitude", "longitude") if whole.get(part) is None]
        if missing:
            raise serializers.ValidationError(
                f"ServiceTitan takes a customer's address only with its latitude and longitude; this one has no "
                f"{' or '.join(missing)}: send {', '.join(missing)} with the address."
            )
        return value


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
