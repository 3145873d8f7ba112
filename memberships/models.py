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

    st_mapping = {
        "name": "name",
        "display_name": "displayName",
        "discount": "discount",
        "discount_mode": "discountMode",
        "location_target": "locationTarget",
        "revenue_recognition_mode": "revenueRecognitionMode",
        "billing_template_id": "billingTemplateId",
        "duration_billing": "durationBilling",
        "tag_type_ids": "tagTypeIds",
        "created_on": "createdOn",
    }

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
        "membership_type_st_id": "membershipTypeId",
        "customer_st_id": "customerId",
        "location_st_id": "locationId",
        "business_unit_st_id": "businessUnitId",
        "status": "status",
        "follow_up_status": "followUpStatus",
        "billing_frequency": "billingFrequency",
        "duration": "duration",
        "starts_on": "from",
        "ends_on": "to",
        "cancellation_date": "cancellationDate",
        "next_scheduled_bill_date": "nextScheduledBillDate",
        "follow_up_on": "followUpOn",
        "sold_by_id": "soldById",
        "payment_type_st_id": "paymentTypeId",
        "memo": "memo",
        "created_on": "createdOn",
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

    st_mapping = {
        "name": "name",
        "recurrence_type": "recurrenceType",
        "recurrence_interval": "recurrenceInterval",
        "recurrence_months": "recurrenceMonths",
        "duration_type": "durationType",
        "duration_length": "durationLength",
        "priority": "priority",
        "job_type_id": "jobTypeId",
        "business_unit_st_id": "businessUnitId",
        "job_summary": "jobSummary",
        "created_on": "createdOn",
    }

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
        "name": "name",
        "membership_st_id": "membershipId",
        "location_st_id": "locationId",
        "recurring_service_type_st_id": "recurringServiceTypeId",
        "duration_type": "durationType",
        "duration_length": "durationLength",
        "starts_on": "from",
        "ends_on": "to",
        "recurrence_type": "recurrenceType",
        "recurrence_interval": "recurrenceInterval",
        "recurrence_months": "recurrenceMonths",
        "priority": "priority",
        "job_type_id": "jobTypeId",
        "business_unit_st_id": "businessUnitId",
        "first_visit_complete": "firstVisitComplete",
        "memo": "memo",
        "created_on": "createdOn",
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
        "membership_st_id": "membershipId",
        "membership_name": "membershipName",
        "status": "status",
        "date": "date",
        "job_st_id": "jobId",
        "created_on": "createdOn",
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

    st_mapping = {
        "name": "name",
        "customer_st_id": "customerId",
        "business_unit_st_id": "businessUnitId",
        "status": "status",
        "origin": "origin",
        "location_st_ids": "locationIds",
        "summary": "summary",
        "start_date": "startDate",
        "end_date": "endDate",
        "duration_months": "durationMonths",
        "auto_renew": "autoRenew",
        "total_agreement_price": "totalAgreementPrice",
        "estimated_gross_margin_percentage": "estimatedGrossMarginPercentage",
        "payment_term_st_id": "paymentTermId",
        "rate_sheet_id": "rateSheetId",
        "sold_by_id": "soldById",
        "created_on": "createdOn",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["-st_id"]
