"""PostgreSQL: master rows mapped in the database, straight from the page's raw rows.

A page's raw rows are already in a staging table (see `bulk.upsert_rows`), payloads parsed as `jsonb`. Rather than map
every payload in Python and COPY a second set of rows, one `INSERT … SELECT … ON CONFLICT` fills the master table from
that staging table, with an expression per column generated from the model's `st_mapping`, the same declaration the
Python mapping (`SyncedModel.values_from_payload`) is built from, following the same rules:

- a JSON key (or dotted path) is cast to the column's type; `null` or a missing key reads as missing;
- a missing value becomes the column's default when it has one, "" for a text column, else NULL;
- a `Computed` source brings its own SQL expression.

Models with a source SQL cannot express (a plain callable, an unusual column type) are mapped in Python. Tests
compare both mappings on the simulator's data and on edge cases (`tests/servicetitan/test_engine_sql_mapping.py`).
Known difference, for values of the wrong JSON type only: a JSON boolean or a number with trailing zeros sent for a
text column reads "true" / "12.50" in SQL and "True" / "12.5" in Python.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from django.db import connection, models

from servicetitan.models import Computed, SyncedModel

# Column type → the conversion of the JSON value as text (`{}`). Integers go through `bigint` whatever their width:
# the column's own type then checks the range, as it does for the Python mapping.
CONVERSIONS = {
    "CharField": "{}",
    "TextField": "{}",
    "BooleanField": "({})::boolean",
    "IntegerField": "({})::bigint",
    "BigIntegerField": "({})::bigint",
    "SmallIntegerField": "({})::bigint",
    "PositiveIntegerField": "({})::bigint",
    "PositiveBigIntegerField": "({})::bigint",
    "PositiveSmallIntegerField": "({})::bigint",
    "DecimalField": "({})::numeric",
    "FloatField": "({})::double precision",
    # ServiceTitan sends up to seven decimals of a second: Python keeps six and drops the rest, PostgreSQL would round
    # them; both must store the same instant. Timestamps without an offset are UTC: Django's connections to
    # PostgreSQL run in UTC (USE_TZ).
    "DateTimeField": r"regexp_replace({}, '(\.[0-9]{{6}})[0-9]+', '\1')::timestamptz",
    "DateField": "({})::date",
}
# Columns every master row takes from its raw row rather than from the payload.
FROM_RAW = {"tenant_id": "tenant_id", "st_id": "st_id", "deleted": "deleted", "synced_at": "fetched_at"}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _value_expression(source, field: models.Field) -> tuple[str, list] | None:
    """The SQL for one mapped column's value before defaults, with its parameters; None if SQL cannot say it."""
    if isinstance(source, Computed):
        # A literal % (LIKE patterns) must not read as a parameter placeholder.
        return (f"({source.sql.replace('%', '%%')})", []) if source.sql else None
    if callable(source):
        return None
    path = source.split(".")
    kind = field.get_internal_type()
    if kind == "JSONField":
        return "NULLIF(payload #> %s, 'null'::jsonb)", [path]
    if kind not in CONVERSIONS:
        return None
    return CONVERSIONS[kind].format("(payload #>> %s)"), [path]


def _missing(field: models.Field) -> tuple[str, list] | None:
    """What a missing value becomes, as `SyncedModel`'s `_converter` decides; None for NULL."""
    if not field.null and field.has_default():
        return _default(field)
    if not field.null and isinstance(field, models.CharField | models.TextField):
        return "''", []
    return None


def _default(field: models.Field) -> tuple[str, list] | None:
    """The model default as a typed parameter (computed at every call: defaults may be callables)."""
    default = field.get_default()
    if default is None:
        return None
    return f"%s::{field.db_type(connection)}", [field.get_db_prep_save(default, connection)]


@cache
def _plan(master: type[SyncedModel]) -> tuple[tuple[models.Field, str, list], ...] | None:
    """(field, value expression, its JSON-path parameters) per master column the payload maps, or None when the
    model's mapping needs Python."""
    plan = []
    for column, source, field in master.compiled_mapping():
        if column in FROM_RAW:
            continue
        value = _value_expression(source, field)
        if value is None:
            return None
        plan.append((field, *value))
    return tuple(plan)


def column_expression(master: type[SyncedModel], name: str) -> tuple[str, list] | None:
    """The SQL (over a raw row's `payload`) of one mapped column's value as the merge stores it, cast to the column's
    type, with its parameters; None when the model's mapping needs Python."""
    plan = _plan(master)
    if plan is None:
        return None
    for field, expression, value_params in plan:
        if field.name != name:
            continue
        missing = _missing(field)
        if missing is not None:
            expression = f"COALESCE({expression}, {missing[0]})"
            value_params = [*value_params, *missing[1]]
        return f"CAST({expression} AS {field.db_type(connection)})", list(value_params)
    raise ValueError(f"{master.__name__}.{name} is not mapped from the payload")


def maps_in_sql(master: type[SyncedModel]) -> bool:
    return connection.vendor == "postgresql" and _plan(master) is not None


def merge_master_from_raw(
    master: type[SyncedModel],
    source: str,
    update: list[str],
    *,
    synced_at: datetime | None = None,
    pk_range: tuple[int, int] | None = None,
) -> None:
    """Upsert the master rows of the raw rows in `source` (a quoted table: a page's staging table, or the raw table
    itself for a rebuild, then limited to `pk_range` = (after, up to)), in one statement. `synced_at` defaults to the
    raw rows' `fetched_at`."""
    plan = _plan(master)
    if plan is None:
        raise ValueError(f"{master.__name__}'s mapping needs Python (see maps_in_sql)")
    columns, selects, params = [], [], []
    for field, expression, value_params in plan:
        missing = _missing(field)
        if missing is not None:
            expression = f"COALESCE({expression}, {missing[0]})"
            value_params = [*value_params, *missing[1]]
        columns.append(field.column)
        selects.append(expression)
        params.extend(value_params)
    for name, raw_column in FROM_RAW.items():
        columns.append(master._meta.get_field(name).column)
        if name == "synced_at" and synced_at is not None:
            selects.append("%s")
            params.append(synced_at)
        else:
            selects.append(_quote(raw_column))
    # Columns a new row needs beyond the mapping (e.g. a category's depth) get their model defaults, as Django's
    # `save` would fill them: the database has no defaults of its own.
    for field in master._meta.concrete_fields:
        if field.column in columns or field.primary_key or getattr(field, "generated", False):
            continue
        default = _default(field)
        columns.append(field.column)
        selects.append(default[0] if default else "NULL")
        params.extend(default[1] if default else ())
    assignments = ", ".join(
        f"{column} = EXCLUDED.{column}" for column in (_quote(master._meta.get_field(name).column) for name in update)
    )
    # Identifiers come from model metadata (quoted), SQL from the models' own declarations; values are parameters.
    sql = f"INSERT INTO {_quote(master._meta.db_table)} ({', '.join(map(_quote, columns))}) "
    sql += f"SELECT {', '.join(selects)} FROM {source} "  # noqa: S608
    if pk_range is not None:
        sql += 'WHERE "id" > %s AND "id" <= %s '  # raw models keep Django's default primary key
        params.extend(pk_range)
    sql += f"ON CONFLICT (tenant_id, st_id) DO UPDATE SET {assignments}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
