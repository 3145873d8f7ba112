"""The jobs mirror (ServiceTitan's JPM module): jobs, their appointments and notes, projects, and the reference data
they point at (job types, cancel and hold reasons, project statuses, sub-statuses and types)."""

from django.db import models

from servicetitan.mirroring import mirror_relation
from servicetitan.models import RawRecord, SyncedModel


# --- Raw: the full JSON of each record ---------------------------------------------------------------------------------
class RawJob(RawRecord):
    pass


class RawAppointment(RawRecord):
    pass


class RawProject(RawRecord):
    pass


class RawJobType(RawRecord):
    pass


class RawJobCancelReason(RawRecord):
    pass


class RawJobHoldReason(RawRecord):
    pass


class RawProjectStatus(RawRecord):
    pass


class RawProjectSubStatus(RawRecord):
    pass


class RawProjectType(RawRecord):
    pass


class RawJobNote(RawRecord):
    pass


# --- Master -----------------------------------------------------------------------------------------------------------
class Job(SyncedModel):
    job_number = models.CharField(max_length=255, blank=True, db_index=True)
    job_status = models.TextField(blank=True)
    priority = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    customer_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    customer = mirror_relation("crm.Customer", "customer_st_id", related_name="jobs")
    location_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    location = mirror_relation("crm.Location", "location_st_id", related_name="jobs")
    project_st_id = models.BigIntegerField(null=True, blank=True)
    project = mirror_relation("jobs.Project", "project_st_id", related_name="jobs")
    business_unit_st_id = models.BigIntegerField(null=True, blank=True)
    business_unit = mirror_relation("dispatch.BusinessUnit", "business_unit_st_id", related_name="jobs")
    job_type_id = models.BigIntegerField(null=True, blank=True)
    job_type = mirror_relation("jobs.JobType", "job_type_id", related_name="jobs")
    campaign_id = models.BigIntegerField(null=True, blank=True)
    appointment_count = models.IntegerField(default=0)
    first_appointment_st_id = models.BigIntegerField(null=True, blank=True)
    last_appointment_st_id = models.BigIntegerField(null=True, blank=True)
    invoice_st_id = models.BigIntegerField(null=True, blank=True)
    total = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    no_charge = models.BooleanField(default=False)
    customer_po = models.TextField("customer PO", blank=True)
    completed_on = models.DateTimeField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)
    tag_type_ids = models.JSONField(default=list, blank=True)
    custom_fields = models.JSONField(default=list, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["-st_id"]
        # The admin lists in this order, the primary key last as its tie-break: one index serves it.
        indexes = [models.Index(fields=["-st_id", "-id"], name="jobs_job_order")]

    def __str__(self):
        return f"Job {self.job_number or self.st_id}"


class Appointment(SyncedModel):
    class Status(models.TextChoices):
        SCHEDULED = "Scheduled"
        DISPATCHED = "Dispatched"
        WORKING = "Working"
        HOLD = "Hold"
        DONE = "Done"
        CANCELED = "Canceled"

    job_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    job = mirror_relation("jobs.Job", "job_st_id", related_name="appointments")
    customer_st_id = models.BigIntegerField(null=True, blank=True)
    customer = mirror_relation("crm.Customer", "customer_st_id", related_name="appointments")
    appointment_number = models.TextField(blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    arrival_window_start = models.DateTimeField(null=True, blank=True)
    arrival_window_end = models.DateTimeField(null=True, blank=True)
    status = models.TextField(choices=Status.choices, blank=True)
    special_instructions = models.TextField(blank=True)
    is_confirmed = models.BooleanField(default=False)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["-start"]
        # The admin lists in this order, the primary key last as its tie-break: one index serves it.
        indexes = [models.Index(fields=["-start", "-id"], name="jobs_appointment_order")]

    def __str__(self):
        return f"Appointment {self.appointment_number or self.st_id}"


class Project(SyncedModel):
    number = models.CharField(max_length=255, blank=True, db_index=True)
    name = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    status = models.TextField(blank=True)
    sub_status = models.TextField(blank=True)
    customer_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    customer = mirror_relation("crm.Customer", "customer_st_id", related_name="projects")
    location_st_id = models.BigIntegerField(null=True, blank=True)
    location = mirror_relation("crm.Location", "location_st_id", related_name="projects")
    project_type_id = models.BigIntegerField(null=True, blank=True)
    job_st_ids = models.JSONField(default=list, blank=True)
    business_unit_st_ids = models.JSONField(default=list, blank=True)
    project_manager_ids = models.JSONField(default=list, blank=True)
    start_date = models.DateTimeField(null=True, blank=True)
    target_completion_date = models.DateTimeField(null=True, blank=True)
    actual_completion_date = models.DateTimeField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["-st_id"]
        # The admin lists in this order, the primary key last as its tie-break: one index serves it.
        indexes = [models.Index(fields=["-st_id", "-id"], name="jobs_project_order")]

    def __str__(self):
        return f"Project {self.number or self.st_id}" + (f" {self.name}" if self.name else "")


# --- Reference data ---------------------------------------------------------------------------------------------------
class JobType(SyncedModel):
    name = models.TextField(blank=True)
    priority = models.TextField(blank=True)
    # Minutes.
    duration = models.IntegerField(null=True, blank=True)
    job_class = models.TextField("class", blank=True)
    summary = models.TextField(blank=True)
    no_charge = models.BooleanField(default=False)
    sold_threshold = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    is_smart_dispatched = models.BooleanField(default=False)
    invoice_signatures_required = models.BooleanField(default=False)
    business_unit_st_ids = models.JSONField(default=list, blank=True)
    skills = models.JSONField(default=list, blank=True)
    tag_type_ids = models.JSONField(default=list, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    st_mapping = {
        "job_class": "class",
    }

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]


class JobCancelReason(SyncedModel):
    """A reason a job can be cancelled with (`reasonId` of a cancel)."""

    name = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]


class JobHoldReason(SyncedModel):
    """A reason a job can be put on hold with (`reasonId` of a hold)."""

    name = models.TextField(blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]


class ProjectStatus(SyncedModel):
    name = models.TextField(blank=True)
    order = models.IntegerField(default=0)

    class Meta(SyncedModel.Meta):
        ordering = ["order", "st_id"]
        verbose_name_plural = "project statuses"


class ProjectSubStatus(SyncedModel):
    name = models.TextField(blank=True)
    status_st_id = models.BigIntegerField(null=True, blank=True)
    status = mirror_relation("jobs.ProjectStatus", "status_st_id", related_name="sub_statuses")
    order = models.IntegerField(default=0)

    class Meta(SyncedModel.Meta):
        ordering = ["status_st_id", "order", "st_id"]
        verbose_name = "project sub-status"
        verbose_name_plural = "project sub-statuses"


class ProjectType(SyncedModel):
    name = models.TextField(blank=True)
    description = models.TextField(blank=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["name", "st_id"]


class JobNote(SyncedModel):
    job_st_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    job = mirror_relation("jobs.Job", "job_st_id", related_name="notes")
    text = models.TextField(blank=True)
    is_pinned = models.BooleanField(default=False)
    created_by_id = models.BigIntegerField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)

    class Meta(SyncedModel.Meta):
        ordering = ["-created_on", "-st_id"]

    def __str__(self):
        return f"Note {self.st_id} on job {self.job_st_id}"
