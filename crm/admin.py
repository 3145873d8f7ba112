from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from crm import selectors
from crm.models import (
    Booking,
    Contact,
    Customer,
    CustomerContact,
    Lead,
    Location,
    RawBooking,
    RawContact,
    RawCustomer,
    RawCustomerContact,
    RawLead,
    RawLocation,
)
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin


class TagsMixin:
    """A record's tags by name (customers, locations, leads carry `tag_type_ids`)."""

    def get_readonly_fields(self, request, obj=None):
        return ("tags", *super().get_readonly_fields(request, obj))

    @admin.display(description="Tags")
    def tags(self, obj):
        return ", ".join(selectors.tag_names(obj)) or "—"


@admin.register(Customer)
class CustomerAdmin(TagsMixin, MirrorAdmin):
    list_display = ("name", "type", "city", "state", "balance", "do_not_service")
    list_filter = ("type", "do_not_mail", "do_not_service", "state")
    search_fields = ("name", "street", "city", "zip")

    # Shown on the page at most: a customer with more is listed whole through "Customer contacts (N)".
    contacts_shown = 50

    # Open leads first, then the latest: at most this many on the page ("Leads (N)" lists them all).
    leads_shown = 20

    def get_readonly_fields(self, request, obj=None):
        return ("contact_list", "lead_list", *super().get_readonly_fields(request, obj))

    @admin.display(description="Leads")
    def lead_list(self, obj):
        """The customer's leads in words (status, priority, summary, follow-up), linked."""
        leads = obj.leads.filter(deleted=False).order_by("-active", "status", "-created_on", "-id")[: self.leads_shown]
        rows = [
            (
                reverse("admin:crm_lead_change", args=[lead.pk]),
                lead.get_status_display() or "Lead",
                lead.summary or f"Lead {lead.st_id}",
                f" ({lead.get_priority_display()})" if lead.priority else "",
                f", follow up {lead.follow_up_date:%Y-%m-%d}" if lead.follow_up_date else "",
            )
            for lead in leads
        ]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}: {}</a>{}{}</li>', rows))

    @admin.display(description="Contacts")
    def contact_list(self, obj):
        """The customer's phone numbers and e-mail addresses in words (type, number or address, memo), linked."""
        contacts = list(obj.contacts.filter(deleted=False).order_by("-active", "type", "id")[: self.contacts_shown])
        if not contacts:
            return "—"
        rows = [
            (
                reverse("admin:crm_customercontact_change", args=[c.pk]),
                c.get_type_display() or "Contact",
                c.value,
                c.memo,
                "" if c.active else " (inactive)",
            )
            for c in contacts
        ]
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}: {}</a> {}{}</li>', rows))


@admin.register(Location)
class LocationAdmin(TagsMixin, MirrorAdmin):
    list_display = ("name", "customer", "street", "city", "state", "zip")
    list_select_related = ("customer",)
    list_filter = ("state",)
    search_fields = ("name", "street", "city", "zip", "customer__name")


@admin.register(Contact)
class ContactAdmin(MirrorAdmin):
    list_display = ("name", "title", "reference_id", "is_archived")
    list_filter = ("is_archived",)
    search_fields = ("name", "title", "reference_id")


@admin.register(CustomerContact)
class CustomerContactAdmin(MirrorAdmin):
    list_display = ("type", "value", "memo", "customer", "do_not_text")
    list_select_related = ("customer",)
    list_filter = ("type", "do_not_text")
    search_fields = ("value", "memo", "customer__name")


@admin.register(Booking)
class BookingAdmin(MirrorAdmin):
    list_display = ("name", "source", "status", "priority", "start", "business_unit", "job")
    list_select_related = ("business_unit", "job")
    list_filter = ("status", "source", "priority", "customer_type")
    search_fields = ("name", "summary", "external_id", "street", "city", "zip")
    date_hierarchy = "created_on"


@admin.register(Lead)
class LeadAdmin(TagsMixin, MirrorAdmin):
    list_display = ("__str__", "status", "priority", "summary", "follow_up_date", "business_unit")
    list_select_related = ("customer", "business_unit")
    list_filter = ("status", "priority")
    search_fields = ("summary", "lead_customer_name", "lead_phone", "lead_email", "customer__name")
    date_hierarchy = "created_on"


admin.site.register([RawCustomer, RawLocation, RawContact, RawCustomerContact, RawBooking, RawLead], RawRecordAdmin)
