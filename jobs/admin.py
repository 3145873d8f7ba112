from django.contrib import admin

from jobs.models import Appointment, Job, Project, RawAppointment, RawJob, RawProject
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin


@admin.register(Job)
class JobAdmin(MirrorAdmin):
    list_display = ("job_number", "customer", "job_status", "priority", "completed_on", "total")
    list_select_related = ("customer",)
    list_filter = ("job_status", "priority")
    search_fields = ("job_number", "summary", "customer__name")
    date_hierarchy = "created_on"


@admin.register(Appointment)
class AppointmentAdmin(MirrorAdmin):
    list_display = ("appointment_number", "job", "start", "end", "status")
    list_select_related = ("job",)
    list_filter = ("status", "is_confirmed")
    search_fields = ("appointment_number", "job__job_number")
    date_hierarchy = "start"


@admin.register(Project)
class ProjectAdmin(MirrorAdmin):
    list_display = ("number", "name", "customer", "status", "start_date", "target_completion_date")
    list_select_related = ("customer",)
    list_filter = ("status",)
    search_fields = ("number", "name", "customer__name")


admin.site.register([RawJob, RawAppointment, RawProject], RawRecordAdmin)
