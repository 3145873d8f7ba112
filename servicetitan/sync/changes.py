"""Which mapped columns a page changes, old → new, for a stream's `before_master` hook (a history of values).

Called while the master rows still hold the previous values and the page's new raw rows are written:
- PostgreSQL (a model mapped in SQL): `changed_columns_sql` is one `SELECT` joining the page's staging table (payloads as
  jsonb) with the master rows, each column's new value computed by the same SQL the master merge uses; the caller
  inserts from it (`INSERT … SELECT`), so nothing travels back to Python;
- elsewhere: `changed_columns` compares in Python, loading the master values of the page's changed records only (one
  query).
Records created by the page are not compared (there is no previous value), and unchanged records never get here (the
page write skips them by payload hash).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import connection

from servicetitan.sync.sql_mapping import column_expression
from servicetitan.sync.streams import PageChanges


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def changed_columns_sql(master, changes: PageChanges, columns: Sequence[str]) -> tuple[str, list] | None:
    """`SELECT st_id, field, old_value, new_value` for every column of `columns` whose value the page changes, or None
    when it cannot be said in SQL (no staging table, or a mapping that needs Python)."""
    if changes.stage is None:
        return None
    rows, params = [], []
    for name in columns:
        expression = column_expression(master, name)
        if expression is None:
            return None
        column = _quote(master._meta.get_field(name).column)
        rows.append(f"(%s, m.{column}, {expression[0]})")
        params.extend([name, *expression[1]])
    # Identifiers come from model metadata (quoted), SQL from the model's own mapping; values are parameters.
    sql = (
        "SELECT s.st_id, v.field, v.old_value, v.new_value "  # noqa: S608
        f"FROM {changes.stage} s JOIN {_quote(master._meta.db_table)} m "
        "ON m.tenant_id = s.tenant_id AND m.st_id = s.st_id "
        f"CROSS JOIN LATERAL (VALUES {', '.join(rows)}) AS v(field, old_value, new_value) "
        "WHERE s.tenant_id = %s AND v.old_value IS DISTINCT FROM v.new_value"
    )
    return sql, [*params, changes.tenant_id]


def _comparable(field, value):
    if isinstance(value, Decimal) and getattr(field, "decimal_places", None) is not None:
        return value.quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


def changed_columns(master, changes: PageChanges, columns: Sequence[str]) -> list[tuple[object, str, object, object]]:
    """(st_id, column, old value, new value) for every column of `columns` the page changes, compared in Python."""
    if not changes.records:
        return []
    fields = [master._meta.get_field(name) for name in columns]
    previous = {
        row[0]: row[1:]
        for row in master.objects.filter(
            tenant_id=changes.tenant_id, st_id__any_of=[st_id for st_id, _, _ in changes.records]
        ).values_list("st_id", *columns)
    }
    found = []
    for st_id, record, _ in changes.records:
        before = previous.get(st_id)
        if before is None:
            continue
        values = master.values_from_payload(record)
        for field, old in zip(fields, before, strict=True):
            old, new = _comparable(field, old), _comparable(field, values.get(field.name))
            if old != new:
                found.append((st_id, field.name, old, new))
    return found
