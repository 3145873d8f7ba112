"""Filterset base every mirrored collection shares.

Query parameters on every mirror list: `st_id`, `st_id__in=1,2,3`, `tenant_id`, `active`, `deleted`,
`modified_since` / `modified_before` (ServiceTitan's modifiedOn, ISO 8601). An app's filterset adds its own columns
in `Meta.fields`, the django-filter way.
"""

import datetime
from copy import deepcopy

from django import forms
from django.db import models
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from servicetitan.models import SyncRun


class UtcIsoDateTimeField(IsoDateTimeField):
    """ISO 8601, turned into UTC while validating: an offset out of range (`+99:00`) or a moment that is not a date
    in UTC (`0001-01-01T00:00:00+01:00`) is a 400 with a message, not a crash in the database driver."""

    default_error_messages = {"invalid": "Enter an ISO 8601 date and time, e.g. 2026-05-01T08:00:00Z."}

    def strptime(self, value, format):
        try:
            return super().strptime(value, format)
        except (ValueError, OverflowError) as exc:
            raise ValueError(str(exc)) from exc

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except (ValueError, OverflowError) as exc:
            raise forms.ValidationError("That date and time is out of range.", code="invalid") from exc


class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


TRUE_FALSE = {"true": True, "false": False, "1": True, "0": False}


class StrictBooleanWidget(forms.TextInput):
    """`?active=true|false|1|0` as True / False; anything else is handed to the field as given (django-filter's own
    widget turns it into "no filter", so `?active=maybe` served the whole table)."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if isinstance(value, str):
            return TRUE_FALSE.get(value.strip().lower(), value)
        return value


class StrictBooleanField(forms.NullBooleanField):
    widget = StrictBooleanWidget
    default_error_messages = {"invalid": "Give true or false."}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        pass


class BooleanFilter(filters.BooleanFilter):
    """A true/false filter whose junk value (`?active=maybe`) is a 400, not an unfiltered list."""

    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", StrictBooleanWidget)
        super().__init__(*args, **kwargs)


INT64 = (-(2**63), 2**63 - 1)


class Int64Field(forms.DecimalField):
    """A number a database integer column can hold: beyond 64 bits it is a 400, not an overflow in the driver."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not INT64[0] <= value <= INT64[1]:
            raise forms.ValidationError("No such id: the number is out of range.", code="out_of_range")


class IntegerFilter(filters.NumberFilter):
    field_class = Int64Field


class IntegerInFilter(filters.BaseInFilter, IntegerFilter):
    """`?x__in=1,2,3` of ids: text or a number past 64 bits is a 400."""


class LaziFilterSet(filters.FilterSet):
    """django-filter's REST FilterSet with LAZI's datetime, integer and true/false filters for those columns."""

    FILTER_DEFAULTS = deepcopy(filters.FilterSet.FILTER_DEFAULTS)
    FILTER_DEFAULTS[models.DateTimeField] = {"filter_class": IsoDateTimeFilter}
    FILTER_DEFAULTS[models.BooleanField] = {"filter_class": BooleanFilter}
    for _integer in (
        models.AutoField,
        models.BigAutoField,
        models.IntegerField,
        models.BigIntegerField,
        models.SmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveBigIntegerField,
        models.PositiveSmallIntegerField,
    ):
        FILTER_DEFAULTS[_integer] = {"filter_class": IntegerFilter}


MIRROR_FILTER_FIELDS = {
    "st_id": ["exact", "in"],
    "tenant_id": ["exact"],
    "active": ["exact"],
    "deleted": ["exact"],
}


class MirrorFilterSet(LaziFilterSet):
    modified_since = IsoDateTimeFilter(
        field_name="st_modified_on", lookup_expr="gte", label="Changed in ServiceTitan on or after (ISO 8601)"
    )
    modified_before = IsoDateTimeFilter(
        field_name="st_modified_on", lookup_expr="lt", label="Changed in ServiceTitan before (ISO 8601)"
    )

    class Meta:
        fields: dict[str, list[str]] = {}

    @classmethod
    def get_fields(cls):
        # The shared filters are generated from the model, so each gets the type of its column (`st_id` is a
        # string for GUID-keyed records).
        own = super().get_fields()
        return {**MIRROR_FILTER_FIELDS, **own}


class SyncRunFilterSet(LaziFilterSet):
    module = filters.CharFilter(method="filter_module", label="Module, e.g. crm")
    started_since = IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = SyncRun
        fields = {"target": ["exact", "in"], "status": ["exact", "in"], "full": ["exact"], "tenant_id": ["exact"]}

    def filter_module(self, queryset, name, value):
        return queryset.filter(target__startswith=f"{value}.")
