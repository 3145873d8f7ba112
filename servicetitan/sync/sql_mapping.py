"""PostgreSQL: master rows mapped in the database, straight from the page's raw rows.

A page's raw rows are already in a staging table (see `bulk.upsert_rows`), payloads parsed as `jsonb`. Rather than map
every payload in Python and COPY a second set of rows, one `INSERT … SELECT … ON CONFLICT` fills the master table from
that staging table, with an expression per column generated from the model's `st_mapping`, the same declaration the
Python mapping (`SyncedModel.values_from_payload`) is built from, following the same rules:

- a JSON key (or dotted path) is cast to the column's type; `null` or a missing key reads as missing;
- a value that does not fit its column (`servicetitan.conversions`: junk in a number or a date, out of range, too
  long) is guarded before the cast and reads as missing too, so one bad record never fails the page; the same
  statement lists the records that had one (set-based), for `RecordProblem`;
- a missing value becomes the column's default when it has one, "" for a text column, else NULL;
- a `Computed` source brings its own SQL expression (its numbers range-checked like the rest).

Models with a source SQL cannot express (a plain callable, an unusual column type) are mapped in Python. Tests
compare both mappings on the simulator's data and on edge cases (`tests/servicetitan/test_engine_sql_mapping.py`).
Known difference, for values of the wrong JSON type only: a JSON boolean or a number with trailing zeros sent for a
text column reads "true" / "12.50" in SQL and "True" / "12.5" in Python.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache

from django.db import connection, models

from servicetitan import conversions
from servicetitan.models import Computed, SyncedModel
from servicetitan.sync.bulk import NO_JIT

# Column type → the conversion of the JSON value as text (`{}`), once `conversions.sql_guard` said it fits. Integers
# go through `bigint` whatever their width: the guard checked the column's range.
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
    # them; both must store the same instant. The text fits (guarded) when this runs: ServiceTitan's own shape
    # (`…:56.1234567Z`) is cut by position, six decimals or fewer go as they are, only other shapes need the regular
    # expression (which costs three times as much). Timestamps without an offset are UTC: Django's connections to
    # PostgreSQL run in UTC (USE_TZ).
    "DateTimeField": (
        "(CASE WHEN char_length({0}) = 28 AND substring({0} from 20 for 1) = '.' AND right({0}, 1) = 'Z' "
        "THEN left({0}, 26) || 'Z' "
        "WHEN strpos({0}, '.') = 0 OR substring({0} from strpos({0}, '.') + 7 for 1) NOT BETWEEN '0' AND '9' THEN {0} "
        r"ELSE regexp_replace({0}, '(\.[0-9]{{6}})[0-9]+', '\1') END)::timestamptz"
    ),
    "DateField": "({})::date",
}
# Columns every master row takes from its raw row rather than from the payload.
FROM_RAW = {"tenant_id": "tenant_id", "st_id": "st_id", "deleted": "deleted", "synced_at": "fetched_at"}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _value_expression(source, field: models.Field, alias: str):
    """One mapped column in SQL, or None if SQL cannot say it: (value expression before defaults, its parameters,
    the SQL that is true when the record's value is there but does not fit the column or None when every value fits,
    the JSON path whose text the statement extracts once per row as `alias` or None, the guard computed once per row
    as `alias`'s `g_` twin or None, the sub-expression that reads `payload` otherwise (a JSON column, a `Computed`),
    which the merge computes once per row as `alias`, or None).
    """
    if isinstance(source, Computed):
        if not source.sql:
            return None
        # A literal % (LIKE patterns) must not read as a parameter placeholder.
        value = f"({source.sql.replace('%', '%%')})"
        guard = conversions.sql_value_guard(field, value)
        if guard is None:
            return value, [], None, None, None, value
        bad = f"({value} IS NOT NULL AND NOT {guard})"
        return f"(CASE WHEN {guard} THEN {value} END)", [], bad, None, None, value
    if callable(source):
        return None
    path = source.split(".")
    kind = field.get_internal_type()
    if kind == "JSONField":
        value = "NULLIF(payload #> %s, 'null'::jsonb)"
        return value, [path], None, None, None, value
    if kind not in CONVERSIONS:
        return None
    text = _quote(alias)
    guard = conversions.sql_guard(field, text)
    cast = CONVERSIONS[kind].format(text)
    if guard is None:
        return cast, [], None, path, None, None
    fits = _quote(f"g_{alias}")
    return f"(CASE WHEN {fits} THEN {cast} END)", [], f"({text} IS NOT NULL AND NOT {fits})", path, guard, None


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
def _plan(master: type[SyncedModel]) -> tuple[tuple, ...] | None:
    """Per master column the payload maps, `_value_expression`'s answer with the field first; None when the model's
    mapping needs Python."""
    plan = []
    for index, (column, source, field) in enumerate(master.compiled_mapping()):
        if column in FROM_RAW:
            continue
        value = _value_expression(source, field, f"t_{index}")
        if value is None:
            return None
        plan.append((field, f"t_{index}", *value))
    return tuple(plan)


def column_expression(master: type[SyncedModel], name: str) -> tuple[str, list] | None:
    """The SQL (over a raw row's `payload`) of one mapped column's value as the merge stores it, cast to the column's
    type, with its parameters; None when the model's mapping needs Python."""
    plan = _plan(master)
    if plan is None:
        return None
    for field, alias, expression, value_params, _bad, path, guard, _reads in plan:
        if field.name != name:
            continue
        if path is not None:
            # The merge extracts the text once per row as `alias` (and its guard as `g_alias`); here it stands alone.
            if not all(re.fullmatch(r"[A-Za-z0-9_]+", part) for part in path):
                return None
            text = f"(payload #>> '{{{','.join(path)}}}')"
            if guard is not None:
                expression = expression.replace(_quote(f"g_{alias}"), f"({guard.replace(_quote(alias), text)})")
            expression = expression.replace(_quote(alias), text)
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
    tenant_id: int | None = None,
) -> list[tuple[int, object, dict, list[str]]]:
    """Upsert the master rows of the raw rows in `source` (a quoted table: a page's staging table, or the raw table
    itself for a rebuild, then limited to `pk_range` = (after, up to) and to `tenant_id` when given), in one
    statement. `synced_at` defaults to the raw rows' `fetched_at`.

    A value that does not fit its column leaves the column empty (as if missing). Returns the records that had one,
    found set-based in the same statement: (tenant_id, st_id, payload, [columns]).
    """
    plan = _plan(master)
    if plan is None:
        raise ValueError(f"{master.__name__}'s mapping needs Python (see maps_in_sql)")
    # Each typed column's text is read from the payload once per row (`src`), then guarded, cast and checked.
    extracts, extract_params, guards = [], [], []
    columns, selects, params = [], [], []
    checks, check_params = [], []
    for field, alias, expression, value_params, bad, path, guard, reads in plan:
        if path is not None:
            extracts.append(f"(payload #>> %s) AS {_quote(alias)}")
            extract_params.append(path)
        elif reads is not None:
            # A JSON column or a `Computed`: its value is read from the payload once, in `texts`, like the texts, so
            # the materialized rows never carry the payload itself (copying every jsonb twice was most of the cost).
            value = reads
            extracts.append(f"{value} AS {_quote(alias)}")
            extract_params.extend(value_params)
            expression, value_params = expression.replace(value, _quote(alias)), []
            bad = bad.replace(value, _quote(alias)) if bad is not None else None
        if guard is not None:
            guards.append(f"COALESCE({guard}, false) AS {_quote(f'g_{alias}')}")
        if bad is not None:
            checks.append(f"CASE WHEN {bad} THEN %s END")
            check_params.append(field.name)
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
    where, where_params = "", []
    conditions = []
    if pk_range is not None:
        conditions.append('"id" > %s AND "id" <= %s')  # raw models keep Django's default key
        where_params += list(pk_range)
    if tenant_id is not None:
        conditions.append('"tenant_id" = %s')
        where_params.append(tenant_id)
    if conditions:
        where = f"WHERE {' AND '.join(conditions)} "
    # Identifiers come from model metadata (quoted), SQL from the models' own declarations; values are parameters.
    # `ctid`: the source row, to read back the payload of the (rare) records with a problem, and only theirs.
    raw_columns = ", ".join(["ctid AS row_ctid", "tenant_id", "st_id", "deleted", "fetched_at", *extracts])
    # …and each guard evaluated once, for the cast and for the check alike. One materialization: `OFFSET 0` keeps
    # the texts a subquery of their own (not folded into the guards, which would extract each text once per use).
    texts = f"(SELECT {raw_columns} FROM {source} {where}OFFSET 0) AS texts"  # noqa: S608
    src = f"src AS MATERIALIZED (SELECT *{''.join(', ' + g for g in guards)} FROM {texts})"  # noqa: S608
    insert = f"INSERT INTO {_quote(master._meta.db_table)} ({', '.join(map(_quote, columns))}) "
    insert += f"SELECT {', '.join(selects)} FROM src "  # noqa: S608
    insert += f"ON CONFLICT (tenant_id, st_id) DO UPDATE SET {assignments}"
    head = [*extract_params, *where_params]
    if not checks:
        with connection.cursor() as cursor:
            cursor.execute(NO_JIT)
            cursor.execute(f"WITH {src} {insert}", [*head, *params])
        return []
    # The same statement lists the records with a value that does not fit, from the same rows (set-based).
    sql = f"WITH {src}, written AS ({insert} RETURNING 1) "
    sql += f"SELECT tenant_id, st_id, (SELECT payload FROM {source} AS s WHERE s.ctid = row_ctid), problems "  # noqa: S608
    sql += "FROM (SELECT row_ctid, tenant_id, st_id, "
    sql += f"array_remove(ARRAY[{', '.join(checks)}], NULL) AS problems FROM src) AS checked "
    sql += "WHERE cardinality(problems) > 0"
    with connection.cursor() as cursor:
        cursor.execute(NO_JIT)
        cursor.execute(sql, [*head, *params, *check_params])
        rows = cursor.fetchall()
    return [
        (tenant_id, st_id, payload if isinstance(payload, dict) else json.loads(payload), list(problems))
        for tenant_id, st_id, payload, problems in rows
    ]
