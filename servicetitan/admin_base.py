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
from decimal import Decimal
from functools import cache

from django.contrib import admin
from django.contrib.admin.filters import AllValuesFieldListFilter
from django.core.cache import cache as django_cache
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from servicetitan.paginators import LargeTablePaginator
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


class CachedValuesFieldListFilter(AllValuesFieldListFilter):
    """The sidebar filter of a free-text column (a customer's state): its values are read once every
    `cache_seconds` (at most `max_values` of them), not with a `SELECT DISTINCT` over the whole table per view."""

    cache_seconds = 600
    max_values = 200

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        from tenants.admin_scope import admin_scope

        # Per tenant: the values come from the admin's (tenant-scoped) queryset.
        tenant = admin_scope(request).cache_key
        key = f"lazi:admin-filter-values:{tenant}:{model._meta.label_lower}:{field_path}"
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


def is_money(field) -> bool:
    """A money column (LAZI keeps money as 14 digits, 4 decimals): shown with two decimals to staff."""
    return (
        isinstance(field, models.DecimalField)
        and (field.max_digits, field.decimal_places) == (14, 4)
        and not any(word in field.name for word in ("quantity", "percent", "hours"))
    )


def money_text(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


def _money_column(field):
    def show(obj):
        return money_text(getattr(obj, field.name))

    show.__name__ = f"{field.name}_money"
    return admin.display(description=field.verbose_name, ordering=field.name)(show)


def admin_url_for(obj) -> str | None:
    """The admin page of a row, when its model has one."""
    from django.urls import NoReverseMatch, reverse

    opts = obj._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


def mirror_relations(model):
    """(forward, reverse) mirror relations of a model: joins by ServiceTitan id declared with `mirror_relation`."""
    forward, reverse = [], []
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignObject) and not field.auto_created and field.many_to_one:
            forward.append(field)
        elif (
            isinstance(field, models.ForeignObjectRel)
            and field.field.many_to_one
            and len(field.field.related_fields) == 2  # (tenant_id, <x>_st_id) → (tenant_id, st_id)
        ):
            reverse.append(field)
    return forward, reverse


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

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        # Money columns are shown with two decimals, in lists and on the page; each keeps its sort.
        self.money_columns = {}
        for field in model._meta.concrete_fields:
            if is_money(field):
                column = _money_column(field)
                setattr(self, column.__name__, column)
                self.money_columns[field.name] = column.__name__

    def get_list_display(self, request):
        own = tuple(c for c in self.list_display if c != "__str__") or ("__str__",)
        own = tuple(self.money_columns.get(c, c) if isinstance(c, str) else c for c in own)
        return (*self.mirror_columns_first, *own, *self.mirror_columns_last)

    def get_fields(self, request, obj=None):
        from servicetitan.admin_site import is_operator

        fields = super().get_fields(request, obj)
        if not is_operator(request.user):
            # ServiceTitan's JSON (ids, `skuId`s) is for the people who run LAZI; staff read the columns and links.
            fields = [f for f in fields if f != "servicetitan_payload"]
        return [self.money_columns.get(f, f) if isinstance(f, str) else f for f in fields]

    def get_list_filter(self, request):
        return free_text_filters(self.model, (*self.list_filter, *self.mirror_filters))

    def get_search_fields(self, request):
        return (ST_ID_SEARCH, *self.search_fields)

    def get_readonly_fields(self, request, obj=None):
        return (
            *super().get_readonly_fields(request, obj),
            *self.money_columns.values(),
            "linked_records",
            "servicetitan_payload",
            "record_problems",
        )

    @admin.display(description="Linked records")
    def linked_records(self, obj):
        """Links to the rows this one points at (its customer, its job) and to the lists of rows pointing at it (a
        customer's locations, jobs and invoices), by ServiceTitan id."""
        from django.urls import NoReverseMatch, reverse
        from django.utils.http import urlencode

        forward, backward = mirror_relations(type(obj))
        items = []
        for field in forward:
            target = getattr(obj, field.name, None)
            url = admin_url_for(target) if target is not None else None
            if url:
                items.append((url, f"{field.verbose_name.capitalize()}: {target}"))
        for rel in backward:
            related = rel.related_model
            opts = related._meta
            try:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            except NoReverseMatch:
                continue
            (tenant_field, tenant_value), (st_field, st_value) = (
                (local.attname, getattr(obj, remote.attname)) for local, remote in rel.field.related_fields
            )
            lookup = {tenant_field: tenant_value, st_field: st_value}
            count = related._default_manager.filter(**lookup).count()
            items.append((f"{url}?{urlencode(lookup)}", f"{opts.verbose_name_plural.capitalize()} ({count})"))
        if not items:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', items))

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
    paginator = LargeTablePaginator
    show_full_result_count = False

    @admin.display(description="payload")
    def pretty_payload(self, obj):
        return pretty_json(obj.payload)
