"""Set-based statements over the override table: a filter by a list of ids that plans well even before the table has
statistics, and an UPDATE that answers which rows it changed."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, sql
from django.db.models.sql.compiler import SQLCompiler

from servicetitan.sync.bulk import AnyOf


class _InArray(AnyOf):
    """`column = ANY(ARRAY[…])` on PostgreSQL, `IN (…)` elsewhere: the mirror's `any_of`, but for PostgreSQL.

    Only the PostgreSQL form differs from `any_of` (`IN (SELECT UNNEST(…))`, right for the mirror's tables that a
    first sync fills): a table just filled in the same run (the overrides an approval wrote a moment ago) has no
    statistics yet, and the planner then joins the unnested ids with a nested loop over every row (5,000 × 5,000
    comparisons). A constant array is an index condition (hashed otherwise).

    The array is cast to the column's type: the driver sends a list of ids as `integer[]`, and a `bigint` column
    compared with an `integer[]` as a filter (not an index condition) is searched element by element, 5,000 × 5,000
    comparisons again; with the column's own type the filter is one hash lookup per row."""

    lookup_name = "in_array"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            raise EmptyResultSet
        return f"{lhs} = ANY(%s::{array_type(self.lhs.output_field, connection)})", [*lhs_params, values]


def array_type(field, connection) -> str:
    """The PostgreSQL array type of this field's column (`bigint[]`), for a list parameter compared with it."""
    return f"{field.rel_db_type(connection)}[]"


def in_ids(field: str, ids: Iterable) -> _InArray:
    """A filter: `field` is one of `ids` (`queryset.filter(in_ids("pk", ids))`)."""
    return _InArray(F(field), list(ids))


def update_returning_pks(queryset, **values) -> list:
    """`queryset.update(**values)` in one statement that also answers the primary keys of the rows it changed
    (`RETURNING`: PostgreSQL, and SQLite from 3.35 on)."""
    query = queryset.query.chain(sql.UpdateQuery)
    query.add_update_values(values)
    query.annotations = {}
    statement, params = query.get_compiler(queryset.db).as_sql()
    if not statement:
        return []
    connection = connections[queryset.db]
    pk = connection.ops.quote_name(queryset.model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"{statement} RETURNING {pk}", params)
        return [row[0] for row in cursor.fetchall()]


def claim_returning_rows(model, ids: list, *, where: dict, values: dict, copy: dict) -> list:
    """PostgreSQL: in one statement, lock the rows of `ids` matching `where` that no other transaction holds (`FOR
    UPDATE SKIP LOCKED`), set `values` (constants) and `copy` (column -> column it takes its value from) and answer
    the updated rows as model instances (their new values, through the fields' own conversions; the `values` set are
    not read back, every row took them).

    What `select_for_update(skip_locked=True)`, `update()` and a SELECT of the updated rows do in three statements:
    the separate lock pass and the re-read cost more than the update itself at thousands of rows."""
    connection = connections[model.objects.db]
    quote = connection.ops.quote_name
    meta = model._meta
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    fields = meta.concrete_fields
    # The constants set are known already: read back only the rest (converting a claim token or a timestamp per row
    # is a good part of reading thousands of rows).
    read_back = [f for f in fields if f.name not in values]
    conditions = " AND ".join(f"{quote(meta.get_field(name).column)} = %s" for name in where)
    assignments = [f"{quote(meta.get_field(name).column)} = %s" for name in values] + [
        f"{quote(meta.get_field(name).column)} = {quote(meta.get_field(source).column)}"
        for name, source in copy.items()
    ]
    params = [meta.get_field(name).get_db_prep_save(value, connection) for name, value in values.items()]
    where_params = [meta.get_field(name).get_db_prep_save(value, connection) for name, value in where.items()]
    statement = (
        f"UPDATE {table} SET {', '.join(assignments)} WHERE {pk} IN ("  # noqa: S608 - names from model metadata
        f"SELECT {pk} FROM {table} WHERE {pk} = ANY(%s::{array_type(meta.pk, connection)}) AND {conditions} "
        "FOR UPDATE SKIP LOCKED"
        f") RETURNING {', '.join(quote(f.column) for f in read_back)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, list(ids), *where_params])
        rows = cursor.fetchall()
    compiler = SQLCompiler(sql.Query(model), connection, model.objects.db)
    converters = compiler.get_converters([f.get_col(meta.db_table) for f in read_back])
    if converters:
        rows = compiler.apply_converters(rows, converters)
    # Each row in the fields' order again, the constants in their places.
    constants = {meta.get_field(name).attname: value for name, value in values.items()}
    read_at = {f.attname: i for i, f in enumerate(read_back)}
    attnames = [f.attname for f in fields]
    slots = [(read_at[a], None) if a in read_at else (None, constants[a]) for a in attnames]
    return [
        model.from_db(model.objects.db, attnames, [row[i] if i is not None else value for i, value in slots])
        for row in rows
    ]
