from django.contrib import admin

from memberships.models import (
    Membership,
    MembershipType,
    RawMembership,
    RawMembershipType,
    RawRecurringService,
    RawRecurringServiceEvent,
    RawRecurringServiceType,
    RawServiceAgreement,
    RecurringService,
    RecurringServiceEvent,
    RecurringServiceType,
    ServiceAgreement,
)
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin


@admin.register(MembershipType)
class MembershipTypeAdmin(MirrorAdmin):
    list_display = ("name", "discount", "discount_mode", "revenue_recognition_mode")
    search_fields = ("name", "display_name")


@admin.register(Membership)
class MembershipAdmin(MirrorAdmin):
    list_display = ("membership_type", "customer", "status", "billing_frequency", "starts_on", "ends_on")
    list_select_related = ("membership_type", "customer")
    list_filter = ("status", "billing_frequency", "follow_up_status")
    search_fields = ("customer__name", "memo")
    date_hierarchy = "starts_on"


@admin.register(RecurringServiceType)
class RecurringServiceTypeAdmin(MirrorAdmin):
    list_display = ("name", "recurrence_type", "duration_type", "duration_length", "priority")
    list_filter = ("recurrence_type", "duration_type")
    search_fields = ("name",)


@admin.register(RecurringService)
class RecurringServiceAdmin(MirrorAdmin):
    list_display = ("name", "membership", "recurring_service_type", "recurrence_type", "starts_on", "ends_on")
    list_select_related = ("membership", "recurring_service_type")
    list_filter = ("recurrence_type", "first_visit_complete")
    search_fields = ("name",)


@admin.register(RecurringServiceEvent)
class RecurringServiceEventAdmin(MirrorAdmin):
    list_display = ("recurring_service_name", "membership_name", "status", "date", "job")
    list_select_related = ("job",)
    list_filter = ("status",)
    search_fields = ("recurring_service_name", "membership_name")
    date_hierarchy = "date"


@admin.register(ServiceAgreement)
class ServiceAgreementAdmin(MirrorAdmin):
    list_display = ("name", "customer", "status", "start_date", "end_date", "total_agreement_price")
    list_select_related = ("customer",)
    list_filter = ("status", "origin", "auto_renew")
    search_fields = ("name", "customer__name")
    date_hierarchy = "start_date"


admin.site.register(
    [
        RawMembershipType,
        RawMembership,
        RawRecurringServiceType,
        RawRecurringService,
        RawRecurringServiceEvent,
        RawServiceAgreement,
    ],
    RawRecordAdmin,
)
