from django.contrib import admin

from dispatch.models import (
    AppointmentAssignment,
    BusinessUnit,
    Employee,
    NonJobAppointment,
    RawAppointmentAssignment,
    RawBusinessUnit,
    RawEmployee,
    RawNonJobAppointment,
    RawTagType,
    RawTeam,
    RawTechnician,
    RawTechnicianShift,
    RawUserRole,
    RawZone,
    TagType,
    Team,
    Technician,
    TechnicianShift,
    UserRole,
    Zone,
)
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin


@admin.register(Technician)
class TechnicianAdmin(MirrorAdmin):
    list_display = ("name", "team", "business_unit", "status", "email", "phone_number")
    list_select_related = ("business_unit",)
    list_filter = ("status", "team", "is_managed_tech")
    search_fields = ("name", "email", "login_name")


@admin.register(Team)
class TeamAdmin(MirrorAdmin):
    list_display = ("name", "created_on")
    search_fields = ("name",)


@admin.register(Zone)
class ZoneAdmin(MirrorAdmin):
    list_display = ("name", "service_days_enabled", "created_on")
    list_filter = ("service_days_enabled",)
    search_fields = ("name",)


@admin.register(Employee)
class EmployeeAdmin(MirrorAdmin):
    list_display = ("name", "role", "business_unit", "email", "phone_number")
    list_select_related = ("business_unit",)
    list_filter = ("role",)
    search_fields = ("name", "email", "login_name")


@admin.register(BusinessUnit)
class BusinessUnitAdmin(MirrorAdmin):
    list_display = ("name", "official_name", "trade", "division", "city", "state")
    list_filter = ("trade", "division")
    search_fields = ("name", "official_name")


@admin.register(TagType)
class TagTypeAdmin(MirrorAdmin):
    list_display = ("name", "code", "importance", "is_visible_on_dispatch_board")
    list_filter = ("importance",)
    search_fields = ("name", "code")


@admin.register(UserRole)
class UserRoleAdmin(MirrorAdmin):
    list_display = ("name", "employee_type")
    list_filter = ("employee_type",)
    search_fields = ("name",)


@admin.register(AppointmentAssignment)
class AppointmentAssignmentAdmin(MirrorAdmin):
    list_display = ("technician_label", "appointment", "job", "status", "assigned_on", "is_paused")
    list_select_related = ("technician", "appointment", "job")
    list_filter = ("status", "is_paused")
    search_fields = ("technician_name", "technician__name", "appointment__appointment_number", "job__job_number")
    date_hierarchy = "assigned_on"

    @admin.display(description="Technician", ordering="technician_name")
    def technician_label(self, obj):
        return obj.technician_label()


@admin.register(TechnicianShift)
class TechnicianShiftAdmin(MirrorAdmin):
    list_display = ("title", "technician", "shift_type", "start", "end")
    list_select_related = ("technician",)
    list_filter = ("shift_type",)
    search_fields = ("title", "note", "technician__name")
    date_hierarchy = "start"


@admin.register(NonJobAppointment)
class NonJobAppointmentAdmin(MirrorAdmin):
    list_display = ("name", "technician", "start", "duration", "all_day")
    list_select_related = ("technician",)
    list_filter = ("all_day", "show_on_technician_schedule")
    search_fields = ("name", "summary", "technician__name")
    date_hierarchy = "start"


admin.site.register(
    [
        RawTechnician,
        RawTeam,
        RawZone,
        RawEmployee,
        RawBusinessUnit,
        RawTagType,
        RawUserRole,
        RawAppointmentAssignment,
        RawTechnicianShift,
        RawNonJobAppointment,
    ],
    RawRecordAdmin,
)
