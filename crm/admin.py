from django.contrib import admin

from crm.models import Contact, Customer, Location, RawContact, RawCustomer, RawLocation
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin


@admin.register(Customer)
class CustomerAdmin(MirrorAdmin):
    list_display = ("name", "type", "city", "state", "balance", "do_not_service")
    list_filter = ("type", "do_not_mail", "do_not_service", "state")
    search_fields = ("name", "street", "city", "zip")


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


admin.site.register([RawCustomer, RawLocation, RawContact], RawRecordAdmin)
