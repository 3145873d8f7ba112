"""Filter backends every list shares.

`KnownQueryParameters` (first in `DEFAULT_FILTER_BACKENDS`) answers 400 with the list of allowed parameters when a
read carries one the view does not know: a typo (`?actve=false`) must not silently return the whole table.
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

# Read by DRF itself on any view.
ALWAYS_ALLOWED = {"format"}


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


class KnownQueryParameters:
    """400 for query parameters the view does not read, listing the ones it does."""

    def filter_queryset(self, request, queryset, view):
        if request.method not in ("GET", "HEAD"):
            return queryset
        allowed = allowed_query_parameters(request, queryset, view)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError(
                {
                    "detail": f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
                    "unknown": unknown,
                    "allowed": sorted(allowed),
                }
            )
        return queryset

    def get_schema_operation_parameters(self, view):
        return []
