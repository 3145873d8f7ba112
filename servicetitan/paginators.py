"""The paginator of the admin's mirror lists and the API's numbered pages.

Django counts the rows for every page (`SELECT COUNT(*)`), a pass over the whole table that grows with it. For an
unfiltered list of a large table on PostgreSQL the planner's row estimate (`pg_class.reltuples`, kept fresh by
autovacuum) is used instead, so page 1 of 100,000 customers costs what page 1 of 10,000 does; a filtered or searched
list, a small table or another database gets the exact count.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

ESTIMATE_FROM_ROWS = 10_000


def estimated_rows(queryset: QuerySet) -> int | None:
    """The planner's estimate of the rows of `queryset`'s table when `queryset` is the whole table, else None."""
    connection = connections[queryset.db]
    query = queryset.query
    if connection.vendor != "postgresql" or query.where or query.distinct or query.combinator:
        return None
    if query.low_mark or query.high_mark:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


class LargeTablePaginator(Paginator):
    # True once `count` is the planner's estimate: the admin then says "about N" (templates/admin/pagination.html).
    estimated = False

    @cached_property
    def count(self):
        if isinstance(self.object_list, QuerySet):
            estimate = estimated_rows(self.object_list)
            if estimate is not None and estimate >= ESTIMATE_FROM_ROWS:
                self.estimated = True
                return estimate
        return super().count
