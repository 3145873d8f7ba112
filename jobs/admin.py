from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from jobs import selectors, services
from jobs.models import (
    Appointment,
    Job,
    JobCancelReason,
    JobHoldReason,
    JobNote,
    JobType,
    Project,
    ProjectStatus,
    ProjectSubStatus,
    ProjectType,
    RawAppointment,
    RawJob,
    RawJobCancelReason,
    RawJobHoldReason,
    RawJobNote,
    RawJobType,
    RawProject,
    RawProjectStatus,
    RawProjectSubStatus,
    RawProjectType,
)
from servicetitan.admin_base import MirrorAdmin, RawRecordAdmin
from servicetitan.client.errors import ServiceTitanError


class JobReasonForm(forms.Form):
    """A cancel or hold: one of the tenant's mirrored reasons, chosen by name, and a memo."""

    reason = forms.ModelChoiceField(queryset=JobCancelReason.objects.none(), empty_label="— choose a reason —")
    memo = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, kind: str, tenant_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = selectors.usable_reasons(kind, tenant_id)
        self.fields["reason"].label_from_instance = lambda reason: reason.name or f"Reason {reason.st_id}"


JOB_ACTIONS = {
    "cancel": ("Cancel job", services.cancel_job, "cancelled"),
    "hold": ("Put job on hold", services.hold_job, "put on hold"),
}


@admin.register(Job)
class JobAdmin(MirrorAdmin):
    list_display = ("job_number", "customer", "job_type", "job_status", "priority", "completed_on", "total")
    list_select_related = ("customer", "job_type")
    list_filter = ("job_status", "priority")
    search_fields = ("job_number", "summary", "customer__name")
    date_hierarchy = "created_on"
    change_form_template = "admin/jobs/job_change_form.html"

    def get_urls(self):
        opts = self.model._meta
        urls = [
            path(
                f"<path:object_id>/{kind}/",
                self.admin_site.admin_view(self.reason_view),
                {"kind": kind},
                name=f"{opts.app_label}_{opts.model_name}_{kind}",
            )
            for kind in JOB_ACTIONS
        ]
        return [*urls, *super().get_urls()]

    def can_write_through(self, request) -> bool:
        """Cancel and hold are ServiceTitan writes, open to staff allowed to change jobs (the mirror stays read-only)."""
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_write_through": self.can_write_through(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def reason_view(self, request, object_id, kind):
        if not self.can_write_through(request):
            raise PermissionDenied
        # The admin's own lookup: the current tenant's jobs only, and a non-numeric id is "not found", not a crash.
        job = self.get_object(request, unquote(object_id))
        if job is None:
            raise Http404(f"No job {object_id!r}.")
        title, service, done = JOB_ACTIONS[kind]
        form = JobReasonForm(request.POST or None, kind=kind, tenant_id=job.tenant_id)
        if request.method == "POST" and form.is_valid():
            body = {"reasonId": form.cleaned_data["reason"].st_id, "memo": form.cleaned_data["memo"]}
            try:
                service(job, body)
            except ServiceTitanError as exc:
                form.add_error(None, f"ServiceTitan refused: {exc}")
            else:
                self.message_user(request, f"{job} was {done} in ServiceTitan.", messages.SUCCESS)
                opts = self.model._meta
                return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title} {job.job_number or job.st_id}",
            "opts": self.model._meta,
            "job": job,
            "form": form,
            "kind": kind,
            "no_reasons": not form.fields["reason"].queryset.exists(),
        }
        return TemplateResponse(request, "admin/jobs/job_reason.html", context)


@admin.register(Appointment)
class AppointmentAdmin(MirrorAdmin):
    list_display = ("appointment_number", "job", "start", "end", "status")
    list_select_related = ("job",)
    list_filter = ("status", "is_confirmed")
    search_fields = ("appointment_number", "job__job_number")
    date_hierarchy = "start"

    def get_readonly_fields(self, request, obj=None):
        return ("technicians", *super().get_readonly_fields(request, obj))

    @admin.display(description="Technicians")
    def technicians(self, obj):
        """Who is (or was) on this appointment, by name, with the assignment's status; linked to the assignment."""
        assignments = obj.assignments.filter(deleted=False).select_related("technician").order_by("-active", "id")
        rows = [
            (
                reverse("admin:dispatch_appointmentassignment_change", args=[a.pk]),
                a.technician_label(),
                a.get_status_display() or "—",
                " (paused)" if a.is_paused else "",
                "" if a.active else " (unassigned)",
            )
            for a in assignments
        ]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a>: {}{}{}</li>', rows))


@admin.register(Project)
class ProjectAdmin(MirrorAdmin):
    list_display = ("number", "name", "customer", "status", "start_date", "target_completion_date")
    list_select_related = ("customer",)
    list_filter = ("status",)
    search_fields = ("number", "name", "customer__name")


@admin.register(JobNote)
class JobNoteAdmin(MirrorAdmin):
    list_display = ("job", "text", "is_pinned", "created_on")
    list_select_related = ("job",)
    list_filter = ("is_pinned",)
    search_fields = ("text", "job__job_number")
    date_hierarchy = "created_on"


@admin.register(JobType)
class JobTypeAdmin(MirrorAdmin):
    list_display = ("name", "job_class", "priority", "duration", "no_charge")
    list_filter = ("job_class", "priority")
    search_fields = ("name",)


@admin.register(JobCancelReason, JobHoldReason, ProjectType)
class NamedReferenceAdmin(MirrorAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(ProjectStatus)
class ProjectStatusAdmin(MirrorAdmin):
    list_display = ("name", "order")
    search_fields = ("name",)


@admin.register(ProjectSubStatus)
class ProjectSubStatusAdmin(MirrorAdmin):
    list_display = ("name", "status", "order")
    list_select_related = ("status",)
    search_fields = ("name",)


admin.site.register(
    [
        RawJob,
        RawAppointment,
        RawProject,
        RawJobNote,
        RawJobType,
        RawJobCancelReason,
        RawJobHoldReason,
        RawProjectStatus,
        RawProjectSubStatus,
        RawProjectType,
    ],
    RawRecordAdmin,
)
