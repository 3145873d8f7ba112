"""The CRM mirror: customers, their locations, and contacts (raw JSON as fetched + typed master rows)."""

from django.db import models

from servicetitan.conversions import boolean_or_none, sql_boolean
from servicetitan.mirroring import MONEY, GeoAddressColumns, address_mapping, mirror_relation
from servicetitan.models import Computed, RawRecord, SyncedModel

# ServiceTitan's CRM contacts (`/crm/v2/tenant/{tenant}/contacts`) are keyed by a GUID, not an integer.
GUID_ST_ID = {"verbose_name": "ServiceTitan id", "max_length": 64}


# --- Raw: the full JSON of each record ---------------------------------------------------------------------------------
class RawCustomer(RawRecord):
    pass


class RawLocation(RawRecord):
    pass


class RawContact(RawRecord):
    st_id = models.CharField(**GUID_ST_ID)


class RawCustomerContact(RawRecord):
    pass


# --- Master -----------------------------------------------------------------------------------------------------------
class Customer(GeoAddressColumns, SyncedModel):
    class Type(models.TextChoices):
        RESIDENTIAL = "Residential"
        COMMERCIAL = "Commercial"

    name = models.TextField()
    type = models.TextField(choices=Type.choices, blank=True)
    balance = models.DecimalField(**MONEY)
    tax_exempt = models.BooleanField(default=False)
    do_not_mail = models.BooleanField(default=False)
    do_not_service = models.BooleanField(default=False)
    national_account = models.BooleanField(default=False)
    credit_limit = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    payment_term_id = models.BigIntegerField(null=True, blank=True)
    # Set when ServiceTitan merged this customer into another one.
    merged_to_st_id = models.BigIntegerField(null=True, blank=True)
    tag_type_ids = models.JSONField(default=list, blank=True)
    custom_fields = models.JSONField(default=list, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        **address_mapping("address", geo=True),
    }

    class Meta(SyncedModel.Meta):
        ordering = ["name"]
        # The admin lists in this order, the primary key last as its tie-break: one index serves it.
        indexes = [models.Index(fields=["name", "-id"], name="crm_customer_order")]


class Location(GeoAddressColumns, SyncedModel):
    customer_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    customer = mirror_relation("crm.Customer", "customer_st_id", related_name="locations")
    name = models.TextField()
    zone_st_id = models.BigIntegerField(null=True, blank=True)
    zone = mirror_relation("dispatch.Zone", "zone_st_id", related_name="locations")
    tax_zone_id = models.BigIntegerField(null=True, blank=True)
    tax_exempt = models.BooleanField(default=False)
    merged_to_st_id = models.BigIntegerField(null=True, blank=True)
    tag_type_ids = models.JSONField(default=list, blank=True)
    custom_fields = models.JSONField(default=list, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        **address_mapping("address", geo=True),
    }

    class Meta(SyncedModel.Meta):
        ordering = ["name"]
        # The admin lists in this order, the primary key last as its tie-break: one index serves it.
        indexes = [models.Index(fields=["name", "-id"], name="crm_location_order")]


class Contact(SyncedModel):
    st_id = models.CharField(**GUID_ST_ID)
    name = models.TextField(blank=True)
    title = models.TextField(blank=True)
    reference_id = models.TextField(blank=True)
    is_archived = models.BooleanField(default=False)
    created_on = models.DateTimeField(null=True, blank=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)
    modified_by_id = models.BigIntegerField(null=True, blank=True)

    st_mapping = {
        # Contacts have no `active`: an archived contact is the inactive one.
        "active": Computed(
            lambda payload: not boolean_or_none(payload.get("isArchived")),
            sql="NOT COALESCE(" + sql_boolean("(payload ->> 'isArchived')") + ", false)",
        ),
        "created_by_id": "createdBy",
        "modified_by_id": "modifiedBy",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["name"]
        # The admin lists in this order, the primary key last as its tie-break: one index serves it.
        indexes = [models.Index(fields=["name", "-id"], name="crm_contact_order")]


class CustomerContact(SyncedModel):
    """One of a customer's phone numbers or e-mail addresses (ServiceTitan's customer contacts, integer ids): how a
    customer's page and `GET /api/v1/crm/customer-contacts/?customer=<st_id>` list whom to call or write to."""

    class Type(models.TextChoices):
        PHONE = "Phone"
        MOBILE_PHONE = "MobilePhone", "Mobile phone"
        EMAIL = "Email", "E-mail"
        FAX = "Fax"

    customer_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    customer = mirror_relation("crm.Customer", "customer_st_id", related_name="contacts")
    type = models.TextField(choices=Type.choices, blank=True)
    value = models.TextField(blank=True)
    memo = models.TextField(blank=True)
    phone_number = models.TextField(blank=True)
    do_not_text = models.BooleanField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "phone_number": "phoneSettings.phoneNumber",
        "do_not_text": "phoneSettings.doNotText",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["customer_st_id", "type", "id"]
        indexes = [models.Index(fields=["customer_st_id", "type", "id"], name="crm_customercontact_order")]

    def __str__(self):
        kind = self.get_type_display() if self.type else "Contact"
        return f"{kind}: {self.value}" + (f" ({self.memo})" if self.memo else "")
