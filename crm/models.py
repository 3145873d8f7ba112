"""The CRM mirror: customers, their locations, and contacts (raw JSON as fetched + typed master rows)."""

from django.db import models

from servicetitan.conversions import boolean_or_none, sql_boolean
from servicetitan.mirroring import MONEY, AddressColumns, GeoAddressColumns, address_mapping, mirror_relation
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


class RawBooking(RawRecord):
    pass


class RawLead(RawRecord):
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


class Priority(models.TextChoices):
    LOW = "Low"
    NORMAL = "Normal"
    HIGH = "High"
    URGENT = "Urgent"


class Booking(AddressColumns, SyncedModel):
    """A request for work from a booking provider (web form, call centre) before the office books it as a job."""

    class Status(models.TextChoices):
        NEW = "New"
        ACCEPTED = "Accepted"
        CONVERTED = "Converted"
        DISMISSED = "Dismissed"

    # The customer's name as the provider gave it (a booking is not linked to a customer record).
    name = models.TextField(blank=True)
    source = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    status = models.TextField(choices=Status.choices, blank=True)
    priority = models.TextField(choices=Priority.choices, blank=True)
    customer_type = models.TextField(choices=Customer.Type.choices, blank=True)
    start = models.DateTimeField(null=True, blank=True)
    is_first_time_client = models.BooleanField(null=True, blank=True)
    is_send_confirmation_email = models.BooleanField(null=True, blank=True)
    uploaded_images = models.JSONField(default=list, blank=True)
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit = mirror_relation("dispatch.BusinessUnit", "business_unit_st_id", related_name="bookings")
    job_type_st_id = models.BigIntegerField(null=True, blank=True)
    job_type = mirror_relation("jobs.JobType", "job_type_st_id", related_name="bookings")
    # The job booked from it, once converted.
    job_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    job = mirror_relation("jobs.Job", "job_st_id", related_name="bookings")
    campaign_id = models.BigIntegerField(null=True, blank=True)
    dismissing_reason_id = models.BigIntegerField(null=True, blank=True)
    external_id = models.TextField(blank=True)
    booking_provider_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        **address_mapping("address"),
    }

    class Meta(SyncedModel.Meta):
        ordering = ["-created_on", "-id"]
        indexes = [models.Index(fields=["-created_on", "-id"], name="crm_booking_order")]


class Lead(SyncedModel):
    """A sales opportunity: a call or form that did not book a job yet, to follow up (ServiceTitan's leads)."""

    class Status(models.TextChoices):
        OPEN = "Open"
        CONVERTED = "Converted"
        DISMISSED = "Dismissed"

    status = models.TextField(choices=Status.choices, blank=True)
    priority = models.TextField(choices=Priority.choices, blank=True)
    summary = models.TextField(blank=True)
    customer_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    customer = mirror_relation("crm.Customer", "customer_st_id", related_name="leads")
    location_st_id = models.BigIntegerField(null=True, blank=True)
    location = mirror_relation("crm.Location", "location_st_id", related_name="leads")
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit = mirror_relation("dispatch.BusinessUnit", "business_unit_st_id", related_name="leads")
    job_type_st_id = models.BigIntegerField(null=True, blank=True)
    job_type = mirror_relation("jobs.JobType", "job_type_st_id", related_name="leads")
    booking_st_id = models.BigIntegerField(null=True, blank=True)
    booking = mirror_relation("crm.Booking", "booking_st_id", related_name="leads")
    campaign_id = models.BigIntegerField(null=True, blank=True)
    follow_up_date = models.DateTimeField(null=True, blank=True)
    tag_type_ids = models.JSONField(default=list, blank=True)
    dismissing_reason_id = models.BigIntegerField(null=True, blank=True)
    call_reason_id = models.BigIntegerField(null=True, blank=True)
    call_id = models.BigIntegerField(null=True, blank=True)
    manual_call_id = models.BigIntegerField(null=True, blank=True)
    capture_source = models.TextField(blank=True)
    lead_url = models.TextField(blank=True)
    # What the caller gave when the lead has no customer yet.
    lead_customer_name = models.TextField(blank=True)
    lead_phone = models.TextField(blank=True)
    lead_email = models.TextField(blank=True)
    lead_street = models.TextField(blank=True)
    lead_unit = models.TextField(blank=True)
    lead_city = models.TextField(blank=True)
    lead_state = models.TextField(blank=True)
    lead_zip = models.TextField(blank=True)
    lead_country = models.TextField(blank=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["-created_on", "-id"]
        indexes = [models.Index(fields=["-created_on", "-id"], name="crm_lead_order")]

    def __str__(self):
        customer = self.customer if self.customer_st_id else None
        who = customer.name if customer else self.lead_customer_name
        return f"Lead {self.st_id}" + (f": {who}" if who else "")
