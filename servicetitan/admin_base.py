"""Read-only admin bases for mirrored data, so each module's admin is a few declarative lines:

    @admin.register(Customer)
    class CustomerAdmin(MirrorAdmin):
        list_display = ("name", "type", "city", "balance")
        list_filter = ("type", "state")
        search_fields = ("name", "city")

    admin.site.register([RawCustomer, RawLocation], RawRecordAdmin)

`MirrorAdmin` frames the app's columns with the mirror's own (ServiceTitan id first; active, deleted, modifiedOn
last), filters on active/deleted, searches the ServiceTitan id exactly, and shows ServiceTitan's JSON as last fetched
(from the raw model beside it). Nothing mirrored is editable here: ServiceTitan is the source of truth.
"""

from __future__ import annotations

import json
from functools import cache

from django.contrib import admin
from django.contrib.admin.filters import AllValuesFieldListFilter
from django.core.cache import cache as django_cache
from django.db import models
from django.utils.html import format_html

from servicetitan.paginators import LargeTablePaginator
from servicetitan.sync.streams import all_streams

ST_ID_SEARCH = "st_id__exact"


def pretty_json(value) -> str:
    """JSON indented in a <pre>, escaped."""
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', text)


@cache
def _raw_model_labels() -> dict[str, str]:
    return {stream.master_model.lower(): stream.raw_model for stream in all_streams().values()}


def raw_model_for(master_model):
    """The raw model whose payloads fill `master_model` (per the declared streams), or None."""
    from django.apps import apps

    label = _raw_model_labels().get(master_model._meta.label_lower)
    return apps.get_model(label) if label else None


class CachedValuesFieldListFilter(AllValuesFieldListFilter):
    """The sidebar filter of a free-text column (a customer's state): its values are read once every
    `cache_seconds` (at most `max_values` of them), not with a `SELECT DISTINCT` over the whole table per view."""

    cache_seconds = 600
    max_values = 200

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        key = f"lazi:admin-filter-values:{model._meta.label_lower}:{field_path}"
        values = django_cache.get(key)
        if values is None:
            values = list(self.lookup_choices.order_by(field.name)[: self.max_values])
            django_cache.set(key, values, self.cache_seconds)
        self.lookup_choices = values


def free_text_filters(model, list_filter) -> tuple:
    """`list_filter` with each plain text column (no choices) given `CachedValuesFieldListFilter`."""
    result = []
    for entry in list_filter:
        if isinstance(entry, str) and "__" not in entry:
            try:
                field = model._meta.get_field(entry)
            except Exception:
                field = None
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                entry = (entry, CachedValuesFieldListFilter)
        result.append(entry)
    return tuple(result)


class ReadOnlyAdminMixin:
    """View only: ServiceTitan is the source of truth for mirrored rows."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MirrorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only admin of a master (`SyncedModel`) model; declare only the model's own columns."""

    mirror_columns_first = ("st_id",)
    mirror_columns_last = ("active", "deleted", "st_modified_on")
    mirror_filters = ("active", "deleted")
    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) over a large mirror on every page view is wasted work
    paginator = LargeTablePaginator  # an unfiltered large table is counted from the planner's estimate

    def get_list_display(self, request):
        own = tuple(c for c in self.list_display if c != "__str__") or ("__str__",)
        return (*self.mirror_columns_first, *own, *self.mirror_columns_last)

    def get_list_filter(self, request):
        return free_text_filters(self.model, (*self.list_filter, *self.mirror_filters))

    def get_search_fields(self, request):
        return (ST_ID_SEARCH, *self.search_fields)

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "servicetitan_payload")

    @admin.display(description="ServiceTitan record (as last fetched)")
    def servicetitan_payload(self, obj):
        raw_model = raw_model_for(type(obj))
        raw = raw_model and raw_model.objects.filter(tenant_id=obj.tenant_id, st_id=obj.st_id).first()
        return pretty_json(raw.payload) if raw else "—"


class RawRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only admin of a raw (`RawRecord`) model: ServiceTitan's JSON as fetched."""

    list_display = ("st_id", "active", "deleted", "st_modified_on", "fetched_at")
    list_filter = ("active", "deleted")
    search_fields = (ST_ID_SEARCH,)
    exclude = ("payload",)
    readonly_fields = ("pretty_payload",)
    list_per_page = 50
    paginator = LargeTablePaginator
    show_full_result_count = False

    @admin.display(description="payload")
    def pretty_payload(self, obj):
        return pretty_json(obj.payload)
