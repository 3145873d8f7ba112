"""Bulk writes of many rows in a few statements, by the fastest path the database offers.

- PostgreSQL: rows are streamed with COPY into a temporary staging table, then merged with one
  `INSERT … SELECT … ON CONFLICT (…) DO UPDATE` (plain inserts COPY straight into the table). Django's `bulk_create`
  compiles one placeholder per value, which costs more than the database's own work at these sizes.
- Any other database (SQLite, the embedded default): Django's `bulk_create` (with `update_conflicts` for upserts).

Rows are dicts of attribute name (`category_id`, not `category`) → Python value, as the model's fields hold them; both
paths store the same values.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction


class AnyOf(models.Lookup):
    """`st_id__any_of=[…]`: one array parameter on PostgreSQL, `IN (…)` elsewhere.

    A page filters on thousands of ids; Django's `__in` prepares and compiles one parameter per id.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [value for value in self.rhs if value is not None]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            # A semi-join, not `= ANY(…)`: while a first sync fills a table it has no statistics yet, and a
            # sequential scan comparing every row with every id of the array grows with the square of the page.
            return f"{lhs} IN (SELECT UNNEST(%s))", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


models.IntegerField.register_lookup(AnyOf)
models.CharField.register_lookup(AnyOf)  # ServiceTitan ids that are GUIDs (contacts)
models.ForeignKey.register_lookup(AnyOf)

NULL = "\\N"


class PreSerializedJSON(str):
    """JSON text already serialized by the caller (e.g. the text a payload hash was computed from)."""


def _escape(text: str) -> str:
    # Most values need no escaping; testing first is several times faster than translating every string. A few
    # `replace` (each one pass in C) beat `translate`, whose table lookups cost ~110 µs on a 1 KB JSON payload
    # (~1 µs this way): JSON text has a backslash whenever a string holds a quote or a newline.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\n" in text or "\t" in text or "\r" in text:
        text = text.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return text


def _text(value: Any) -> str:
    return _escape(value if type(value) is str else str(value))


def _json_formatter(field: models.JSONField) -> Callable[[Any], str]:
    encode = (field.encoder or json.JSONEncoder)(ensure_ascii=False).encode

    def format_json(value: Any) -> str:
        if isinstance(value, PreSerializedJSON):
            return _escape(value)
        if not value and type(value) in (list, dict):
            return "[]" if type(value) is list else "{}"  # most JSON columns hold an empty list
        return _escape(encode(value))

    return format_json


def _datetime_formatter() -> Callable[[Any], str]:
    last = [None, ""]  # a page's rows share their `fetched_at` / `synced_at`: format it once

    def format_datetime(value: Any) -> str:
        if value is last[0]:
            return last[1]
        text = value.isoformat() if isinstance(value, datetime | date) else _text(value)
        last[0], last[1] = value, text
        return text

    return format_datetime


def _formatter(field: models.Field) -> Callable[[Any], str]:
    """How one column's Python value is written in COPY's text format (NULL handled by the caller)."""
    if isinstance(field, models.BooleanField):
        return lambda value: "t" if value else "f"
    if isinstance(field, models.JSONField):
        return _json_formatter(field)
    if isinstance(field, models.BinaryField):
        # bytea's hex input ("\x…"), its backslash escaped for COPY's text format.
        return lambda value: "\\\\x" + bytes(value).hex()
    if isinstance(field, models.IntegerField | models.AutoField | models.DecimalField | models.FloatField):
        return str
    if isinstance(field, models.ForeignKey):
        return _formatter(field.target_field)
    if isinstance(field, models.DateTimeField | models.DateField):
        return _datetime_formatter()
    if isinstance(field, models.CharField | models.TextField):
        return _text
    # Anything else: Django's own conversion for this database, then its text.
    return lambda value: _text(field.get_db_prep_save(value, connection))


@cache
def _columns(model: type[models.Model], attnames: tuple[str, ...]) -> tuple[list[str], list[Callable]]:
    fields = [model._meta.get_field(name) for name in attnames]
    return [field.column for field in fields], [_formatter(field) for field in fields]


def _with_defaults(model: type[models.Model], rows: Sequence[dict]) -> tuple[tuple[str, ...], str]:
    """The attributes to write: the rows' own, then every other column with its model default (as Django's `save`
    would fill it; the database has no defaults of its own). Returns them and the defaults' COPY text suffix."""
    supplied = tuple(rows[0])
    missing = [
        field
        for field in model._meta.concrete_fields
        if field.attname not in supplied and not field.primary_key and not getattr(field, "generated", False)
    ]
    attnames = supplied + tuple(field.attname for field in missing)
    _, formatters = _columns(model, attnames)
    suffix = "".join(
        "\t" + (NULL if (value := field.get_default()) is None else format_value(value))
        for field, format_value in zip(missing, formatters[len(supplied) :], strict=True)
    )
    return attnames, suffix


def _rows_text(
    rows: Sequence[dict], names: Sequence[str], formatters: Sequence[Callable], suffix: str = ""
) -> io.StringIO:
    """COPY's text format of `rows`: the `names` values, each through its formatter, then `suffix` on every line."""
    pairs = list(zip(names, formatters, strict=False))
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        write("\t".join(NULL if (value := row[name]) is None else format_value(value) for name, format_value in pairs))
        write(suffix)
        write("\n")
    buffer.seek(0)
    return buffer


def _copy_text(model: type[models.Model], rows: Sequence[dict]) -> tuple[tuple[str, ...], io.StringIO]:
    attnames, suffix = _with_defaults(model, rows)
    _, formatters = _columns(model, attnames)
    return attnames, _rows_text(rows, tuple(rows[0]), formatters, suffix)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _copy_into(cursor, table: str, columns: list[str], buffer: io.StringIO) -> None:
    # The driver's own cursor (Django's has no COPY); its errors raised as Django's (IntegrityError, …) all the same.
    with connection.wrap_database_errors:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(map(_quote, columns))}) FROM STDIN", buffer)


def _staged(cursor, prefix: str, table: str, columns: list[str], buffer: io.StringIO) -> str:
    """COPY `buffer` into this connection's staging table for (`table`, `columns`), emptied at every commit (so the
    COPY and the statement reading it must share one transaction); returns the staging table's quoted name.
    Identifiers only come from model metadata (quoted); values travel through COPY."""
    stage = _quote(f"{prefix}_{table}_{hashlib.blake2b(','.join(columns).encode(), digest_size=4).hexdigest()}")
    column_list = ", ".join(map(_quote, columns))
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS SELECT {column_list} "  # noqa: S608
        f"FROM {_quote(table)} WITH NO DATA"
    )
    cursor.execute(f"TRUNCATE {stage}")
    _copy_into(cursor, stage, columns, buffer)
    return stage


# A page's statements read a staging table without statistics: PostgreSQL guesses thousands of rows per page and,
# past `jit_above_cost`, compiles the statement, which costs more (~150 ms) than running it. For this transaction only.
NO_JIT = "SET LOCAL jit = off"


def insert_rows(model: type[models.Model], rows: Sequence[dict]) -> None:
    """Insert rows (no conflicts expected)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    attnames, buffer = _copy_text(model, rows)
    columns, _ = _columns(model, attnames)
    with connection.cursor() as cursor:
        _copy_into(cursor, _quote(model._meta.db_table), columns, buffer)


def upsert_rows(
    model: type[models.Model], rows: Sequence[dict], *, unique: Sequence[str], update: Sequence[str]
) -> str | None:
    """Insert rows, or update the `update` attributes of the row with the same `unique` attributes.

    PostgreSQL: returns the (quoted) staging table, which holds exactly these rows until the transaction ends, for a
    caller to derive more rows from in SQL. Other databases: None.
    """
    if not rows:
        return None
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**row) for row in rows],
            update_conflicts=True,
            unique_fields=list(unique),
            update_fields=[model._meta.get_field(name).name for name in update],
            batch_size=1000,
        )
        return None
    attnames, buffer = _copy_text(model, rows)
    columns, _ = _columns(model, attnames)
    table = model._meta.db_table
    column_list = ", ".join(map(_quote, columns))
    update_columns = [_quote(model._meta.get_field(name).column) for name in update]
    assignments = ", ".join(f"{column} = EXCLUDED.{column}" for column in update_columns)
    conflict = ", ".join(_quote(model._meta.get_field(name).column) for name in unique)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(NO_JIT)
        stage = _staged(cursor, "stage", table, columns, buffer)
        cursor.execute(
            f"INSERT INTO {_quote(table)} ({column_list}) SELECT {column_list} FROM {stage} "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments}"
        )
    return stage


def update_rows(model: type[models.Model], rows: Sequence[dict], fields: Sequence[str]) -> None:
    """Set the `fields` attributes of existing rows, each row a dict of the primary key's attribute and those fields.

    PostgreSQL: the rows are COPYed into a staging table and applied with one `UPDATE … FROM` join (Django's
    `bulk_update` compiles a `CASE WHEN` per row and column, which costs more than the update itself). Any other
    database: `bulk_update`.
    """
    if not rows:
        return
    pk = model._meta.pk.attname
    attnames = (pk, *(model._meta.get_field(name).attname for name in fields))
    if connection.vendor != "postgresql":
        model.objects.bulk_update([model(**row) for row in rows], list(fields), batch_size=1000)
        return
    columns, formatters = _columns(model, attnames)
    buffer = _rows_text(rows, attnames, formatters)
    table = model._meta.db_table
    key, *updated = map(_quote, columns)
    assignments = ", ".join(f"{column} = s.{column}" for column in updated)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(NO_JIT)
        stage = _staged(cursor, "update", table, columns, buffer)
        cursor.execute(f"UPDATE {_quote(table)} t SET {assignments} FROM {stage} s WHERE t.{key} = s.{key}")  # noqa: S608
