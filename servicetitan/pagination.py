"""Pages of heavily annotated lists, fetched late: first the page's primary keys (the filter and the order only,
through their indexes), then the full rows of those keys alone.

An annotated queryset (effective values are correlated subqueries) sliced with OFFSET makes PostgreSQL compute the
annotations of every row it skips: the last page of 25,000 items costs seconds. Here the skipped rows cost an index
entry each, and the annotations run for the rows shown only. Two queries per page (plus the count), whatever the page.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


def late_rows(queryset, bottom: int, top: int) -> list:
    """`list(queryset[bottom:top])`, computing the selected annotations for those rows only."""
    ids = list(queryset.values_list("pk", flat=True)[bottom:top])
    if not ids:
        return []
    by_pk = {row.pk: row for row in queryset.filter(pk__in=ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


class LateRowPaginator(Paginator):
    """A Paginator whose pages are read with `late_rows` (the admin's `paginator`, the API's below)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if not hasattr(self.object_list, "values_list"):
            return super().page(number)
        return self._get_page(late_rows(self.object_list, bottom, top), number, self)


class LatePageNumberPagination(PageNumberPagination):
    django_paginator_class = LateRowPaginator
