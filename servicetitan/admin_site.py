"""LAZI's admin site: a start page for office staff, the pricebook first, operator pages for operators only.

- The start page: each module's freshness (last successful sync, its age, failing entities), the overrides waiting
  (pending, failed, awaiting approval = reprice batches proposed), links to the sync status page and the pricebook.
- The app list: the pricebook first, then the mirrored modules; raw tables (ServiceTitan's JSON as fetched), sync
  cursors, webhook events, API tokens and periodic tasks only for superusers and the "Operators" group (the group
  itself is created by the servicetitan app's migrations; membership is checked by its name here).
"""

from __future__ import annotations

import logging
import re

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.forms import ModelMultipleChoiceField
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger(__name__)

OPERATORS_GROUP = "Operators"
APP_ORDER = ("pricebook", "crm", "jobs", "dispatch", "accounting", "inventory", "servicetitan")
# Pages for the people who run LAZI rather than use it (besides every raw model).
OPERATOR_APPS = {"django_celery_beat", "authtoken", "auth"}
OPERATOR_MODELS = {"servicetitan.synccursor", "servicetitan.webhookevent", "servicetitan.synclock"}


def is_operator(user) -> bool:
    if not user.is_active or not user.is_staff:
        return False
    return user.is_superuser or user.groups.filter(name=OPERATORS_GROUP).exists()


def is_operator_page(model) -> bool:
    from servicetitan.models import RawRecord

    return (
        issubclass(model, RawRecord)
        or model._meta.app_label in OPERATOR_APPS
        or model._meta.label_lower in OPERATOR_MODELS
    )


def _url(name: str, *args, query: str = "") -> str | None:
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def override_summary(scope=None) -> list[dict]:
    """Overrides waiting for something (of the scope's tenant), each with a link to the list of them."""
    if not apps.is_installed("pricebook"):
        return []
    from pricebook.models import PricebookOverride, RepriceBatch
    from tenants.access import TenantScope, scope_queryset

    scope = scope or TenantScope(tenant=None, unrestricted=True)

    Status = PricebookOverride.Status
    counts = dict.fromkeys(Status.values, 0)
    for status, n in _grouped(scope_queryset(PricebookOverride.objects.all(), scope), "status"):
        counts[status] = n
    batches = scope_queryset(RepriceBatch.objects.filter(status=RepriceBatch.Status.PROPOSED), scope).count()
    overrides = "admin:pricebook_pricebookoverride_changelist"
    return [
        {
            "label": "Pending (waiting to be pushed to ServiceTitan)",
            "count": counts[Status.PENDING] + counts[Status.PUSHING],
            "url": _url(overrides, query="status__in=pending,pushing"),
        },
        {
            "label": "Failed or in conflict (need a look)",
            "count": counts[Status.FAILED] + counts[Status.CONFLICT],
            "url": _url(overrides, query="status__in=failed,conflict"),
        },
        {
            "label": "Price changes awaiting approval",
            "count": batches,
            "url": _url("admin:pricebook_repricebatch_changelist", query="status__exact=proposed"),
        },
    ]


def _grouped(queryset, field: str):
    from django.db.models import Count

    return queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n")


class UnreadableQueryGuard:
    """A list asked for with a query string it cannot read (a date drill-down to the year 10**25, a filter value its
    column cannot hold) is answered as Django answers an unknown filter: back to the list with `?e=1` ("wrong
    filters"), never a 500. Mixed into every ModelAdmin of the site; logged, so a real bug still shows."""

    def get_changelist_instance(self, request):
        try:
            _check_lookup_values(request.GET)
            return super().get_changelist_instance(request)
        except (ArithmeticError, TypeError, ValueError, ValidationError) as exc:
            # TypeError: a value of the wrong kind for its column (text for a binary field's bytes).
            logger.warning("Admin list %s: unreadable query string %r (%s)", request.path, request.GET.urlencode(), exc)
            raise IncorrectLookupParameters(exc) from exc

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if type(formfield) is ModelMultipleChoiceField:
            formfield.__class__ = ReadableIdsMultipleChoiceField
        return formfield

    def response_action(self, request, queryset):
        # The ticked rows arrive as text: an id no row can have ("abc", one past 64 bits) is dropped before Django
        # filters by it, so an action on only such ids answers "Items must be selected…" rather than a 500.
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        readable = [value for value in selected if _readable_pk(self.model, value)]
        if len(readable) != len(selected):
            logger.warning("Admin action on %s: unreadable ids dropped %r", request.path, selected)
            request.POST = request.POST.copy()
            request.POST.setlist(ACTION_CHECKBOX_NAME, readable)
        return super().response_action(request, queryset)


class ReadableIdsMultipleChoiceField(ModelMultipleChoiceField):
    """A many-to-many choice whose posted ids are read before the database sees them: an id no row can have (one past
    64 bits, which SQLite cannot even bind) is "not a valid value", as text already is."""

    def _check_values(self, value):
        if isinstance(value, list | tuple):
            model = self.queryset.model
            field = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk
            for pk in value:
                try:
                    field.run_validators(field.to_python(pk))
                except (ValidationError, ValueError, TypeError, OverflowError):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    ) from None
        return super()._check_values(value)


def _readable_pk(model, value) -> bool:
    field = model._meta.pk
    try:
        field.run_validators(field.to_python(value))
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


def _check_lookup_values(params) -> None:
    """Refuse, as unreadable, the lookups Django's admin passes to the database unread: a `__range` (the admin has no
    way to spell its two bounds, so the text itself would be taken as the bounds) and a `__regex` / `__iregex` that is
    no regular expression to the database (its error, not a filter)."""
    for key, values in params.lists():
        if key.endswith("__range"):
            raise ValueError(f"{key}: a range cannot be given in the address of a list")
        if key.endswith(("__regex", "__iregex")):
            for value in values:
                if not _database_reads_regex(value):
                    raise ValueError(f"{key}: not a regular expression the database can read")


def _database_reads_regex(pattern: str) -> bool:
    """Whether the database's own regular expressions take `pattern`: PostgreSQL's differ from Python's (SQLite's
    `REGEXP` is Python's), e.g. `(?P<name>…)` is fine in Python and an error in PostgreSQL."""
    if connection.vendor != "postgresql":
        try:
            re.compile(pattern)
        except re.error:
            return False
        return True
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: a refusal leaves the request usable
            cursor.execute("SELECT '' ~ %s", [pattern])
    except DatabaseError:
        return False
    return True


def guarded_admin_class(admin_class):
    """`admin_class` with `UnreadableQueryGuard` (once: a subclass is not wrapped twice)."""
    if issubclass(admin_class, UnreadableQueryGuard):
        return admin_class
    return type(admin_class.__name__, (UnreadableQueryGuard, admin_class), {"__module__": admin_class.__module__})


class LaziAdminSite(admin.AdminSite):
    site_header = "LAZI"
    site_title = "LAZI admin"
    index_title = "Start"
    index_template = "admin/lazi_index.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every admin of a model with `tenant_id` shows the current tenant's rows only (tenants.admin_scope).
        from django.db.models.base import ModelBase

        from tenants.admin_scope import scoped_admin_class

        models_ = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else list(model_or_iterable)
        for model in models_:
            admin_class_of_model = guarded_admin_class(scoped_admin_class(model, admin_class or admin.ModelAdmin))
            super().register(model, admin_class_of_model, **options)

    def get_urls(self):
        from django.urls import path

        from tenants.admin_scope import switch_tenant

        return [path("tenant/", self.admin_view(switch_tenant), name="switch_tenant"), *super().get_urls()]

    def each_context(self, request):
        from tenants.admin_scope import switcher_context

        return {**super().each_context(request), **switcher_context(request)}

    def get_app_list(self, request, app_label=None):
        operator = is_operator(request.user)
        app_list = []
        for app in super().get_app_list(request, app_label):
            if not operator:
                app["models"] = [m for m in app["models"] if not is_operator_page(m["model"])]
            if app["models"]:
                app_list.append(app)
        rank = {label: i for i, label in enumerate(APP_ORDER)}
        app_list.sort(key=lambda app: (rank.get(app["app_label"], len(rank)), app["name"]))
        return app_list

    def index(self, request, extra_context=None):
        from servicetitan.models import SyncRun
        from servicetitan.selectors import module_freshness
        from tenants.access import scope_queryset
        from tenants.admin_scope import admin_scope

        scope = admin_scope(request)
        context = {
            "freshness": module_freshness(scope_queryset(SyncRun.objects.all(), scope)),
            "override_summary": override_summary(scope),
            "sync_status_url": _url("admin:servicetitan_syncrun_status"),
            "pricebook_links": [
                (label, url)
                for label, url in (
                    ("Materials", _url("admin:pricebook_material_changelist")),
                    ("Services", _url("admin:pricebook_service_changelist")),
                    ("Equipment", _url("admin:pricebook_equipment_changelist")),
                    ("Categories", _url("admin:pricebook_category_changelist")),
                    ("Overrides", _url("admin:pricebook_pricebookoverride_changelist")),
                )
                if url
            ],
            "is_operator": is_operator(request.user),
            **(extra_context or {}),
        }
        return super().index(request, context)


class LaziAdminConfig(AdminConfig):
    default_site = "servicetitan.admin_site.LaziAdminSite"
