"""The memberships mirror (ServiceTitan's memberships API): membership types, memberships, recurring service types,
recurring services and their events; and service agreements (ServiceTitan's service-agreements API)."""

from django.db import models

from servicetitan.mirroring import mirror_relation
from servicetitan.models import RawRecord, SyncedModel

AMOUNT = {"max_digits": 14, "decimal_places": 4, "null": True, "blank": True}


# --- Raw: the full JSON of each record ---------------------------------------------------------------------------------
class RawMembershipType(RawRecord):
    pass


class RawMembership(RawRecord):
    pass


class RawRecurringServiceType(RawRecord):
    pass


class RawRecurringService(RawRecord):
    pass


class RawRecurringServiceEvent(RawRecord):
    pass


class RawServiceAgreement(RawRecord):
    pass


# --- Master -----------------------------------------------------------------------------------------------------------
class MembershipType(SyncedModel):
    name = models.TextField(blank=True)
    display_name = models.TextField(blank=True)
    discount = models.DecimalField(**AMOUNT)
    discount_mode = models.TextField(blank=True)
    location_target = models.TextField(blank=True)
    revenue_recognition_mode = models.TextField(blank=True)
    billing_template_id = models.BigIntegerField(null=True, blank=True)
    duration_billing = models.JSONField(default=list, blank=True)
    tag_type_ids = models.JSONField(default=list, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]


class Membership(SyncedModel):
    membership_type_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    membership_type = mirror_relation("memberships.MembershipType", "membership_type_st_id", related_name="memberships")
    customer_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    customer = mirror_relation("crm.Customer", "customer_st_id", related_name="memberships")
    location_st_id = models.BigIntegerField(null=True, blank=True)
    location = mirror_relation("crm.Location", "location_st_id", related_name="memberships")
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit = mirror_relation("dispatch.BusinessUnit", "business_unit_st_id", related_name="memberships")
    status = models.TextField(blank=True)
    follow_up_status = models.TextField(blank=True)
    billing_frequency = models.TextField(blank=True)
    duration = models.IntegerField(null=True, blank=True)
    starts_on = models.DateTimeField("from", null=True, blank=True)
    ends_on = models.DateTimeField("to", null=True, blank=True)
    cancellation_date = models.DateTimeField(null=True, blank=True)
    next_scheduled_bill_date = models.DateTimeField(null=True, blank=True)
    follow_up_on = models.DateTimeField(null=True, blank=True)
    sold_by_id = models.BigIntegerField(null=True, blank=True)
    payment_type_st_id = models.BigIntegerField(null=True, blank=True)
    memo = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "starts_on": "from",
        "ends_on": "to",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["-st_id"]


class RecurringServiceType(SyncedModel):
    name = models.TextField(blank=True)
    recurrence_type = models.TextField(blank=True)
    recurrence_interval = models.IntegerField(default=0)
    recurrence_months = models.JSONField(default=list, blank=True)
    duration_type = models.TextField(blank=True)
    duration_length = models.IntegerField(default=0)
    priority = models.TextField(blank=True)
    job_type_id = models.BigIntegerField(null=True, blank=True)
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    job_summary = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]


class RecurringService(SyncedModel):
    name = models.TextField(blank=True)
    membership_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    membership = mirror_relation("memberships.Membership", "membership_st_id", related_name="recurring_services")
    location_st_id = models.BigIntegerField(null=True, blank=True)
    location = mirror_relation("crm.Location", "location_st_id", related_name="recurring_services")
    recurring_service_type_st_id = models.BigIntegerField(null=True, blank=True)
    recurring_service_type = mirror_relation(
        "memberships.RecurringServiceType", "recurring_service_type_st_id", related_name="recurring_services"
    )
    duration_type = models.TextField(blank=True)
    duration_length = models.IntegerField(default=0)
    starts_on = models.DateTimeField("from", null=True, blank=True)
    ends_on = models.DateTimeField("to", null=True, blank=True)
    recurrence_type = models.TextField(blank=True)
    recurrence_interval = models.IntegerField(default=0)
    recurrence_months = models.JSONField(default=list, blank=True)
    priority = models.TextField(blank=True)
    job_type_id = models.BigIntegerField(null=True, blank=True)
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    first_visit_complete = models.BooleanField(default=False)
    memo = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "starts_on": "from",
        "ends_on": "to",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["-st_id"]


class RecurringServiceEvent(SyncedModel):
    recurring_service_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    recurring_service = mirror_relation(
        "memberships.RecurringService", "recurring_service_st_id", related_name="events"
    )
    recurring_service_name = models.TextField(blank=True)
    membership_st_id = models.BigIntegerField(null=True, blank=True)
    membership = mirror_relation("memberships.Membership", "membership_st_id", related_name="recurring_service_events")
    membership_name = models.TextField(blank=True)
    status = models.TextField(blank=True)
    date = models.DateTimeField(null=True, blank=True)
    job_st_id = models.BigIntegerField(null=True, blank=True)
    job = mirror_relation("jobs.Job", "job_st_id", related_name="recurring_service_events")
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "recurring_service_st_id": "locationRecurringServiceId",
        "recurring_service_name": "locationRecurringServiceName",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["-date", "-st_id"]


class ServiceAgreement(SyncedModel):
    name = models.TextField(blank=True)
    customer_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    customer = mirror_relation("crm.Customer", "customer_st_id", related_name="service_agreements")
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit = mirror_relation("dispatch.BusinessUnit", "business_unit_st_id", related_name="service_agreements")
    status = models.TextField(blank=True)
    origin = models.TextField(blank=True)
    location_st_ids = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    duration_months = models.IntegerField(null=True, blank=True)
    auto_renew = models.BooleanField(default=False)
    total_agreement_price = models.DecimalField(**AMOUNT)
    estimated_gross_margin_percentage = models.DecimalField(**AMOUNT)
    payment_term_st_id = models.BigIntegerField(null=True, blank=True)
    rate_sheet_id = models.BigIntegerField(null=True, blank=True)
    sold_by_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["-st_id"]
