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
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from servicetitan.sync.streams import all_streams

ST_ID_SEARCH = "st_id__exact"


def pretty_json(value) -> str:
    """JSON indented in a <pre>, escaped."""
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', text)


PROBLEMS_SHOWN = 100


def problems_html(problems, *, with_record: bool = False):
    """`RecordProblem`s as a small table (the first `PROBLEMS_SHOWN`), escaped; "—" when there are none."""
    rows = list(problems[: PROBLEMS_SHOWN + 1])
    if not rows:
        return "—"
    head = (
        "<tr>" + ("<th>record</th>" if with_record else "") + "<th>column</th><th>problem</th><th>value sent</th></tr>"
    )
    body = format_html_join(
        "",
        "<tr>" + ("<td>{}</td>" if with_record else "{}") + "<td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (f"{problem.model} {problem.st_id}" if with_record else "", problem.column, problem.message, problem.value)
            for problem in rows[:PROBLEMS_SHOWN]
        ),
    )
    more = "<p>… and more (see Record problems).</p>" if len(rows) > PROBLEMS_SHOWN else ""
    return format_html("<table>{}{}</table>{}", mark_safe(head), body, mark_safe(more))  # noqa: S308 - fixed markup


@cache
def _raw_model_labels() -> dict[str, str]:
    return {stream.master_model.lower(): stream.raw_model for stream in all_streams().values()}


def raw_model_for(master_model):
    """The raw model whose payloads fill `master_model` (per the declared streams), or None."""
    from django.apps import apps

    label = _raw_model_labels().get(master_model._meta.label_lower)
    return apps.get_model(label) if label else None


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

    def get_list_display(self, request):
        own = tuple(c for c in self.list_display if c != "__str__") or ("__str__",)
        return (*self.mirror_columns_first, *own, *self.mirror_columns_last)

    def get_list_filter(self, request):
        return (*self.list_filter, *self.mirror_filters)

    def get_search_fields(self, request):
        return (ST_ID_SEARCH, *self.search_fields)

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "servicetitan_payload", "record_problems")

    @admin.display(description="values that did not fit")
    def record_problems(self, obj):
        from servicetitan.models import RecordProblem

        problems = RecordProblem.objects.filter(
            model=type(obj)._meta.label_lower, tenant_id=obj.tenant_id, st_id=str(obj.st_id)
        )
        return problems_html(problems)

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
    show_full_result_count = False

    @admin.display(description="payload")
    def pretty_payload(self, obj):
        return pretty_json(obj.payload)
