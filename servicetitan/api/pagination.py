"""The pagination every list shares: pages by number (`?page=3&page_size=200`, at most `MAX_PAGE_SIZE`), or, for
deep reads of a mirrored collection, a cursor (`?cursor=` to start, then follow `next`).

A cursor page is a keyset read on the view's `cursor_ordering` (the mirrors': `(tenant_id, st_id)`, their unique
index): `WHERE (tenant_id, st_id) > (last seen) ORDER BY tenant_id, st_id LIMIT n`, so page 1,000 costs what page 1
costs. Cursor pages carry no `count` (counting a large table is what the cursor avoids).
"""

from __future__ import annotations

import base64
import json
from collections import OrderedDict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, IntegerField
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from servicetitan.api.filtersets import INT64
from servicetitan.paginators import LargeTablePaginator

MAX_PAGE_SIZE = 1000
INVALID_CURSOR = "Invalid cursor: start with an empty `cursor=` and follow `next`."


def encode_cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(text: str, size: int) -> list:
    try:
        padded = text + "=" * (-len(text) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeError):
        values = None
    if not isinstance(values, list) or len(values) != size or not all(isinstance(v, int | str) for v in values):
        raise ValidationError({"cursor": [INVALID_CURSOR]})
    return values


def cursor_values(model, ordering, values) -> tuple:
    """The decoded cursor's values as the ordering's columns hold them: a hand-made cursor with text for an id or a
    number past 64 bits is a 400, not an error of the database driver."""
    checked = []
    for name, value in zip(ordering, values, strict=True):
        field = model._meta.get_field(name)
        try:
            value = field.to_python(value)
        except DjangoValidationError:
            raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
        if isinstance(field, IntegerField) and not INT64[0] <= value <= INT64[1]:
            raise ValidationError({"cursor": [INVALID_CURSOR]})
        checked.append(value)
    return tuple(checked)


class LaziPagination(PageNumberPagination):
    django_paginator_class = LargeTablePaginator
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    cursor_query_param = "cursor"
    page_size_query_description = f"Number of results per page (1 to {MAX_PAGE_SIZE}; default 100)."

    mode = "page"

    @staticmethod
    def cursor_ordering(view) -> tuple[str, ...]:
        return tuple(getattr(view, "cursor_ordering", None) or ())

    def query_parameters(self, view) -> set[str]:
        """The query parameters this pagination reads on that view (for the unknown-parameter check)."""
        names = {self.page_query_param, self.page_size_query_param}
        if self.cursor_ordering(view):
            names.add(self.cursor_query_param)
        return names

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        ordering = self.cursor_ordering(view)
        if ordering and self.cursor_query_param in request.query_params:
            return self.paginate_by_cursor(queryset, request, view, ordering)
        return super().paginate_queryset(queryset, request, view)

    def paginate_by_cursor(self, queryset, request, view, ordering):
        if request.query_params.get("ordering"):
            raise ValidationError({"cursor": ["A cursor reads in ServiceTitan id order: leave out `ordering`."]})
        self.mode = "cursor"
        self.request = request
        size = self.get_page_size(request)
        text = request.query_params.get(self.cursor_query_param) or ""
        queryset = queryset.order_by(*ordering)
        if text:
            after = cursor_values(queryset.model, ordering, decode_cursor(text, len(ordering)))
            queryset = queryset.filter(TupleGreaterThan(Tuple(*(F(name) for name in ordering)), after))
        rows = list(queryset[: size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        self.next_cursor = encode_cursor(getattr(rows[-1], name) for name in ordering) if self.has_next else None
        return rows

    def get_next_link(self):
        if self.mode != "cursor":
            return super().get_next_link()
        if not self.next_cursor:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data):
        if self.mode != "cursor":
            return super().get_paginated_response(data)
        return Response(OrderedDict(count=None, next=self.get_next_link(), previous=None, results=data))

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["results"]
        response["properties"]["count"]["nullable"] = True
        response["properties"]["count"]["description"] = "Total rows; null on cursor pages."
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        if self.cursor_ordering(view):
            parameters.append(
                {
                    "name": self.cursor_query_param,
                    "required": False,
                    "in": "query",
                    "description": "Keyset paging for deep reads: empty to start, then follow `next`; no `count`.",
                    "schema": {"type": "string"},
                }
            )
        return parameters
