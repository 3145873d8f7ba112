from rest_framework import serializers

from jobs import selectors
from servicetitan.api.serializers import ServiceTitanBodySerializer


# --- Read ---------------------------------------------------------------------------------------------------------------
# --- Write-through (ServiceTitan's request bodies, in LAZI's names) ------------------------------------------------------
class TimeWindowInput(ServiceTitanBodySerializer):
    """start/end and an optional arrival window, each window ending after it starts."""

    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    arrival_window_start = serializers.DateTimeField(required=False, allow_null=True)
    arrival_window_end = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, attrs):
        for start, end in (("start", "end"), ("arrival_window_start", "arrival_window_end")):
            if attrs.get(start) and attrs.get(end) and attrs[end] <= attrs[start]:
                raise serializers.ValidationError({end: f"must be after {start}"})
        return attrs


class NewAppointmentInput(TimeWindowInput):
    technician_st_ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class JobCreateInput(ServiceTitanBodySerializer):
    customer_st_id = serializers.IntegerField()
    location_st_id = serializers.IntegerField()
    business_unit_st_id = serializers.IntegerField()
    job_type_id = serializers.IntegerField()
    campaign_id = serializers.IntegerField()
    priority = serializers.CharField(max_length=64)
    appointments = NewAppointmentInput(many=True, allow_empty=False)
    project_st_id = serializers.IntegerField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    customer_po = serializers.CharField(required=False, allow_blank=True)
    tag_type_ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class JobUpdateInput(ServiceTitanBodySerializer):
    customer_st_id = serializers.IntegerField()
    location_st_id = serializers.IntegerField()
    business_unit_st_id = serializers.IntegerField()
    job_type_id = serializers.IntegerField()
    campaign_id = serializers.IntegerField()
    priority = serializers.CharField(max_length=64)
    summary = serializers.CharField(allow_blank=True)
    customer_po = serializers.CharField(allow_blank=True)
    tag_type_ids = serializers.ListField(child=serializers.IntegerField())


class JobReasonInput(ServiceTitanBodySerializer):
    """`{reason_id, memo}` for a job cancel or hold; the reason must be one of the mirrored, active reasons of the
    job's tenant (the view passes the job in the context as `job`)."""

    kind = ""  # "cancel" | "hold"
    reason_id = serializers.IntegerField()
    memo = serializers.CharField(allow_blank=True)

    def validate_reason_id(self, value):
        job = self.context["job"]
        if selectors.usable_reason(self.kind, job.tenant_id, value) is None:
            listing = {"cancel": "job-cancel-reasons", "hold": "job-hold-reasons"}[self.kind]
            raise serializers.ValidationError(
                f"{value} is not an active job {self.kind} reason. Choose one from /api/v1/jobs/{listing}/ "
                f"(if it is new in ServiceTitan, sync jobs.{listing} first)."
            )
        return value


class JobCancelInput(JobReasonInput):
    kind = "cancel"
    reason_id = serializers.IntegerField(help_text="The `st_id` of an active job cancel reason (`job-cancel-reasons`).")


class JobHoldInput(JobReasonInput):
    kind = "hold"
    reason_id = serializers.IntegerField(help_text="The `st_id` of an active job hold reason (`job-hold-reasons`).")


class AppointmentCreateInput(NewAppointmentInput):
    job_st_id = serializers.IntegerField()
    special_instructions = serializers.CharField(required=False, allow_blank=True)


class AppointmentRescheduleInput(TimeWindowInput):
    pass
