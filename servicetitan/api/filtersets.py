"""Filterset base every mirrored collection shares.

Query parameters on every mirror list: `st_id`, `st_id__in=1,2,3`, `tenant_id`, `active`, `deleted`,
`modified_since` / `modified_before` (ServiceTitan's modifiedOn, ISO 8601). An app's filterset adds its own columns
in `Meta.fields`, the django-filter way.
"""

from django_filters import rest_framework as filters

from servicetitan.models import SyncRun

MIRROR_FILTER_FIELDS = {
    "st_id": ["exact", "in"],
    "tenant_id": ["exact"],
    "active": ["exact"],
    "deleted": ["exact"],
}


class MirrorFilterSet(filters.FilterSet):
    modified_since = filters.IsoDateTimeFilter(
        field_name="st_modified_on", lookup_expr="gte", label="Changed in ServiceTitan on or after (ISO 8601)"
    )
    modified_before = filters.IsoDateTimeFilter(
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


class SyncRunFilterSet(filters.FilterSet):
    module = filters.CharFilter(method="filter_module", label="Module, e.g. crm")
    started_since = filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = SyncRun
        fields = {"target": ["exact", "in"], "status": ["exact", "in"], "full": ["exact"], "tenant_id": ["exact"]}

    def filter_module(self, queryset, name, value):
        return queryset.filter(target__startswith=f"{value}.")
