"""Filter backends every list shares.

`KnownQueryParameters` (first in `DEFAULT_FILTER_BACKENDS`) answers 400 with the list of allowed parameters when a
read carries one the view does not know: a typo (`?actve=false`) must not silently return the whole table.
`DeclaredOrderingFilter` (the default ordering backend of every view) does the same for `?ordering=` values (DRF's own
drops unknown ones silently) and ends every ordering on a unique key, so OFFSET pages neither repeat nor skip rows.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.settings import api_settings

# Read by DRF itself on any view; `tenant` by the tenant scoping (tenants.api.scoping).
ALWAYS_ALLOWED = {"format", "tenant"}


def allowed_query_parameters(request, queryset, view) -> set[str]:
    # Parameters a view reads itself (e.g. a query serializer's fields), besides its filters.
    allowed = set(ALWAYS_ALLOWED) | set(getattr(view, "query_parameters", ()))
    if api_settings.URL_FORMAT_OVERRIDE:
        allowed.add(api_settings.URL_FORMAT_OVERRIDE)
    for backend_class in getattr(view, "filter_backends", ()):
        if issubclass(backend_class, DjangoFilterBackend):
            filterset_class = backend_class().get_filterset_class(view, queryset)
            for name, filter_ in (filterset_class.base_filters if filterset_class else {}).items():
                suffixes = getattr(filter_.field_class.widget, "suffixes", None)
                allowed.update({f"{name}_{suffix}" for suffix in suffixes} if suffixes else {name})
        elif getattr(backend_class, "search_param", None) and getattr(view, "search_fields", None):
            allowed.add(backend_class.search_param)
        elif getattr(backend_class, "ordering_param", None) and getattr(view, "ordering_fields", None):
            allowed.add(backend_class.ordering_param)
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        if hasattr(paginator, "query_parameters"):
            allowed |= paginator.query_parameters(view)
        else:
            allowed |= {
                name
                for name in (
                    getattr(paginator, "page_query_param", None),
                    getattr(paginator, "page_size_query_param", None),
                )
                if name
            }
    return allowed


def refuse(what: str, unknown: list[str], allowed) -> None:
    """The 400 of a read asking for what the view does not know, with what it does."""
    raise ValidationError({"detail": f"{what}: {', '.join(unknown)}.", "unknown": unknown, "allowed": sorted(allowed)})


class KnownQueryParameters:
    """400 for query parameters the view does not read, listing the ones it does."""

    def filter_queryset(self, request, queryset, view):
        if request.method not in ("GET", "HEAD"):
            return queryset
        allowed = allowed_query_parameters(request, queryset, view)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            refuse(f"Unknown query parameter{'s' if len(unknown) > 1 else ''}", unknown, allowed)
        return queryset

    def get_schema_operation_parameters(self, view):
        return []


class DeclaredOrderingFilter(OrderingFilter):
    """`?ordering=` over the view's `ordering_fields` (`"__all__"`: the model's columns, JSON ones excepted) and its
    declared aliases, unknown names answered 400.

    A view may declare `ordering_aliases = {"effective_price": "description"}` and `ordering_expression(name)` giving
    each alias's SQL expression (e.g. a value computed for the page only, ordered in SQL by its expression). A unique
    key ends every ordering so OFFSET pages are stable: a mirror's `(tenant_id, st_id)`, else the primary key. The
    schema lists every allowed value."""

    mirror_key = ("tenant_id", "st_id")

    @staticmethod
    def columns(view) -> list[str]:
        declared = getattr(view, "ordering_fields", None)
        if declared and declared != "__all__":
            return list(declared)
        model = view.queryset.model
        return [f.name for f in model._meta.concrete_fields if not isinstance(f, models.JSONField)]

    @classmethod
    def tie_break(cls, model) -> tuple[str, ...]:
        """The unique key that ends every ordering of `model`'s rows."""
        fields = {f.name for f in model._meta.concrete_fields}
        if set(cls.mirror_key) <= fields:
            return cls.mirror_key
        return (model._meta.pk.name,)

    def allowed(self, view) -> list[str]:
        return [*self.columns(view), *getattr(view, "ordering_aliases", {})]

    def get_valid_fields(self, queryset, view, context=None):
        return [(name, name) for name in self.allowed(view)]

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params:
            return self.get_default_ordering(view)
        terms = [term.strip() for term in params.split(",") if term.strip()]
        allowed = set(self.allowed(view))
        unknown = [term for term in terms if term.removeprefix("-") not in allowed]
        if unknown:
            refuse("Unknown ordering", unknown, allowed)
        return terms

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        aliases = getattr(view, "ordering_aliases", {})
        terms, names = [], set()
        for term in ordering:
            name = term.removeprefix("-")
            names.add(name)
            expression = view.ordering_expression(name) if name in aliases else F(name)
            terms.append(expression.desc() if term.startswith("-") else expression.asc())
        pk = queryset.model._meta.pk.name
        if not names & {pk, "pk"}:
            terms += [F(name).asc() for name in self.tie_break(queryset.model) if name not in names]
        return queryset.order_by(*terms)

    def get_schema_operation_parameters(self, view):
        aliases = getattr(view, "ordering_aliases", {})
        values = self.allowed(view)
        described = "; ".join(f"`{name}`: {text}" for name, text in aliases.items())
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Order by these columns, comma-separated, `-` for descending; an unknown one is a 400."
                + (f" Aliases: {described}." if described else ""),
                "schema": {"type": "string", "enum": [*values, *(f"-{name}" for name in values)]},
            }
        ]
