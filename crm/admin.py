from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from crm.models import (
    Contact,
    Customer,
    CustomerContact,
    Location,
    RawContact,
    RawCustomer,
    RawCustomerContact,
    RawLocation,
)
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin


@admin.register(Customer)
class CustomerAdmin(MirrorAdmin):
    list_display = ("name", "type", "city", "state", "balance", "do_not_service")
    list_filter = ("type", "do_not_mail", "do_not_service", "state")
    search_fields = ("name", "street", "city", "zip")

    # Shown on the page at most: a customer with more is listed whole through "Customer contacts (N)".
    contacts_shown = 50

    def get_readonly_fields(self, request, obj=None):
        return ("contact_list", *super().get_readonly_fields(request, obj))

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
class LocationAdmin(MirrorAdmin):
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


admin.site.register([RawCustomer, RawLocation, RawContact, RawCustomerContact], RawRecordAdmin)
