"""Serializer bases every module API builds on.

- `MirrorSerializer`: a mirrored row as LAZI serves it: the columns every mirror shares, then the model's mapped
  columns, all read-only; an app's serializer is usually just `Meta.model`.
- `ServiceTitanBodySerializer`: validates a write in LAZI's snake_case and turns it into ServiceTitan's camelCase
  request body (`customer_st_id` → `customerId`, datetimes as ISO 8601).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from servicetitan.models import SyncRun, servicetitan_key


class RejectUnknownFieldsMixin:
    """A write naming a field the serializer does not have is refused (400, `{"price": ["Unknown field; …"]}`)
    instead of silently ignored: `price` for `override_price` must not look like it worked."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                writable = sorted(name for name, field in self.fields.items() if not field.read_only)
                message = f"Unknown field; the fields you can write are: {', '.join(writable)}."
                raise serializers.ValidationError({name: [message] for name in unknown})
        return super().to_internal_value(data)


MIRROR_FIELDS = ("st_id", "tenant_id", "modified_on", "active", "deleted", "synced_at")


class MirrorSerializer(serializers.ModelSerializer):
    """Read-only representation of a `SyncedModel`.

    Serves the mirror's shared columns, then every column of the model's `st_mapping` (or `Meta.fields` when
    given), then any field the subclass declares. So an app's serializer is usually just `Meta.model`.
    """

    # (The docstring is every mirror's description in the OpenAPI schema, hence unchanged: "the model's `st_mapping`"
    # is the resolved one, `SyncedModel.mapped_columns`, defaults included, in the model's column order.)

    modified_on = serializers.DateTimeField(source="st_modified_on", read_only=True, allow_null=True)

    class Meta:
        fields: tuple[str, ...] | None = None

    @classmethod
    def own_field_names(cls) -> list[str]:
        names = getattr(cls.Meta, "fields", None) or cls.Meta.model.mapped_columns()
        return [name for name in names if name not in MIRROR_FIELDS]

    def get_field_names(self, declared_fields, info):
        own = self.own_field_names()
        extra = [name for name in declared_fields if name not in own and name not in MIRROR_FIELDS]
        return [*MIRROR_FIELDS, *own, *extra]

    def get_extra_kwargs(self):
        # Everything mirrored is ServiceTitan's: written by a sync or a write-through, never through this serializer.
        extra = super().get_extra_kwargs()
        for name in (*MIRROR_FIELDS, *self.own_field_names()):
            extra.setdefault(name, {})["read_only"] = True
        return extra


def servicetitan_value(value: Any) -> Any:
    """A validated value as JSON for ServiceTitan: nested keys camelCased, datetimes ISO 8601 in UTC."""
    if isinstance(value, dict):
        return {servicetitan_key(key): servicetitan_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [servicetitan_value(item) for item in value]
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


class ServiceTitanBodySerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """Input of a write-through: LAZI's snake_case names, sent to ServiceTitan as its camelCase body."""

    def to_servicetitan(self) -> dict:
        return servicetitan_value(self.validated_data)


class AddressSerializer(ServiceTitanBodySerializer):
    """ServiceTitan's address object, as CRM writes take it."""

    street = serializers.CharField()
    unit = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    city = serializers.CharField()
    state = serializers.CharField()
    zip = serializers.CharField()
    country = serializers.CharField()
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)


# --- Sync ---------------------------------------------------------------------------------------------------------------
class SyncRunSerializer(serializers.ModelSerializer):
    duration_seconds = serializers.SerializerMethodField()

    class Meta:
        model = SyncRun
        fields = (
            "id",
            "target",
            "tenant_id",
            "full",
            "status",
            "started_at",
            "finished_at",
            "duration_seconds",
            "pages",
            "created",
            "updated",
            "unchanged",
            "deactivated",
            "deleted",
            "problems",
            "api_calls",
            "retries",
            "error",
            "triggered_by",
        )
        read_only_fields = fields

    def get_duration_seconds(self, run) -> float | None:
        return run.duration.total_seconds() if run.duration is not None else None


class SyncRequestSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    targets = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Modules (`crm`) or entities (`crm.customers`); empty or absent = everything.",
    )
    full = serializers.BooleanField(default=False, help_text="A full pass instead of an incremental one.")


class SyncAcceptedSerializer(serializers.Serializer):
    targets = serializers.ListField(child=serializers.CharField(), help_text="The entities queued, in run order.")
    full = serializers.BooleanField()
