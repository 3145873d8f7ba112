from rest_framework import serializers

from jobs.models import Appointment, Job, Project
from servicetitan.api.serializers import MirrorSerializer, ServiceTitanBodySerializer


# --- Read ---------------------------------------------------------------------------------------------------------------
class JobSerializer(MirrorSerializer):
    class Meta:
        model = Job


class AppointmentSerializer(MirrorSerializer):
    class Meta:
        model = Appointment


class ProjectSerializer(MirrorSerializer):
    class Meta:
        model = Project


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


class JobCancelInput(ServiceTitanBodySerializer):
    reason_id = serializers.IntegerField(help_text="A job cancel reason id configured in ServiceTitan.")
    memo = serializers.CharField(allow_blank=True)


class AppointmentCreateInput(NewAppointmentInput):
    job_st_id = serializers.IntegerField()
    special_instructions = serializers.CharField(required=False, allow_blank=True)


class AppointmentRescheduleInput(TimeWindowInput):
    pass
