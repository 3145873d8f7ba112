"""What a JSON value must look like to fill a typed column, said once for Python and for PostgreSQL.

ServiceTitan's specs give types and lengths for almost nothing, so a mirror takes whatever arrives: a value that does
not fit its column (junk in a number or a date, a number too large for the column, a text longer than a bounded
column) leaves that column empty (the column's default, "" or NULL) and is reported as a problem of that record
instead of failing the page. The raw row keeps the value as sent.

The Python mapping (`SyncedModel.values_from_payload`) and the SQL mapping (`sync/sql_mapping.py`) apply the same
rules, from the patterns and limits below, so both store the same row and find the same problems:

- integers: optional sign and digits only (no decimals, no exponent), within the column's range;
- decimals: a plain number (optional exponent), within the column's digits once rounded to its decimal places;
- floats: a plain number, zero or between 1e-307 and 1e308 in magnitude;
- booleans: JSON true/false, 0/1, or the texts "true", "True", "t", "1" (and their false forms);
- dates and timestamps: ISO 8601 (`YYYY-MM-DD`, optional `THH:MM[:SS[.fraction]]` and `Z` or `±HH[:MM]`), a real
  calendar day, years 1000 to 9999;
- bounded text: at most the column's `max_length` characters.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models

INTEGER_TEXT = r"^[-+]?[0-9]{1,20}$"
NUMBER_TEXT = r"^[-+]?([0-9]{1,40}(\.[0-9]{0,100})?|\.[0-9]{1,100})([eE][-+]?[0-9]{1,3})?$"
DATE_TEXT = (
    r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,20})?)?(Z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)?)?$"
)
TRUE_TEXTS = ("true", "True", "t", "1")
FALSE_TEXTS = ("false", "False", "f", "0")
FLOAT_MIN, FLOAT_MAX = Decimal("1e-307"), Decimal("1e308")
# The same ranges on every database (Django's), so a mirror on SQLite refuses what PostgreSQL would.
INTEGER_RANGES = {
    "SmallIntegerField": (-32768, 32767),
    "IntegerField": (-2147483648, 2147483647),
    "BigIntegerField": (-9223372036854775808, 9223372036854775807),
    "PositiveSmallIntegerField": (0, 32767),
    "PositiveIntegerField": (0, 2147483647),
    "PositiveBigIntegerField": (0, 9223372036854775807),
}

_INTEGER = re.compile(INTEGER_TEXT)
_NUMBER = re.compile(NUMBER_TEXT)
_DATE = re.compile(DATE_TEXT)


class BadValue(ValueError):
    """A value that does not fit its column; the message says why, in plain words."""


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def plain_id(value) -> int | None:
    """An id as staff, links and webhooks write it: plain ASCII digits below 2**63 (a bigint column's limit). None for
    anything else ("abc", "²", a number no query can hold), so callers treat it as no id rather than fail."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or int(text) >= 2**63:
        return None
    return int(text)


def check_integer(field: models.Field, value) -> int:
    low, high = INTEGER_RANGES.get(field.get_internal_type(), INTEGER_RANGES["BigIntegerField"])
    if type(value) is str and _INTEGER.fullmatch(value):
        value = int(value)
    elif type(value) is not int:
        raise BadValue("not a whole number")
    if not low <= value <= high:
        raise BadValue(f"out of range for this column ({low} to {high})")
    return value


def _decimal_of(value) -> Decimal:
    if type(value) is str:
        if not _NUMBER.fullmatch(value):
            raise BadValue("not a number")
        return Decimal(value)
    if type(value) is int:
        return Decimal(value)
    if type(value) is float:
        try:
            return Decimal(repr(value))
        except InvalidOperation:
            raise BadValue("not a number") from None
    if isinstance(value, Decimal):
        return value
    raise BadValue("not a number")


def check_decimal(field: models.DecimalField, value, to_python) -> Decimal:
    number = _decimal_of(value)
    if not number.is_finite():
        raise BadValue("not a number")
    limit = Decimal(10) ** (field.max_digits - field.decimal_places)
    try:
        rounded = number.quantize(Decimal(1).scaleb(-field.decimal_places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        rounded = None
    if rounded is None or abs(rounded) >= limit:
        raise BadValue(
            f"too large for this column (at most {field.max_digits - field.decimal_places} digits before the point)"
        )
    return to_python(value)


def check_float(value) -> float:
    number = _decimal_of(value)
    if not number.is_finite() or (number != 0 and not FLOAT_MIN <= abs(number) <= FLOAT_MAX):
        raise BadValue("out of range for a floating-point number")
    return float(value) if type(value) is not str else float(number)


def check_boolean(value) -> bool:
    if type(value) is bool:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if type(value) is str:
        if value in TRUE_TEXTS:
            return True
        if value in FALSE_TEXTS:
            return False
    raise BadValue("not true or false")


def boolean_or_none(value) -> bool | None:
    """`check_boolean`, None for a value that is not a boolean (for `Computed` sources, which read junk as missing)."""
    try:
        return check_boolean(value)
    except BadValue:
        return None


def check_date_text(value) -> str:
    """The text of a date or timestamp, once it is ISO 8601 and a real calendar day."""
    if type(value) is not str or not _DATE.fullmatch(value):
        raise BadValue("not an ISO 8601 date or timestamp")
    year, month, day = int(value[0:4]), int(value[5:7]), int(value[8:10])
    if day > _days_in_month(year, month):
        raise BadValue("not a calendar day")
    return value


def check_text(field: models.Field, value) -> str:
    text = value if type(value) is str else str(value)
    if field.max_length is not None and len(text) > field.max_length:
        raise BadValue(f"too long for this column ({len(text)} characters, at most {field.max_length})")
    return text


def wrap_to_python(to_python):
    """`Field.to_python`, its refusals as `BadValue`."""

    def convert(value):
        try:
            return to_python(value)
        except (ValidationError, TypeError, ValueError, InvalidOperation, OverflowError) as exc:
            raise BadValue("cannot be read for this column") from exc

    return convert


_DATETIME = models.DateTimeField()
# ServiceTitan's own shape of a timestamp (UTC, "Z", up to seven decimals): read by `datetime.fromisoformat` directly,
# which is what `check_date_text` and Django's parsing come to for it (Python, like Django, keeps six decimals).
_UTC_STAMP = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?Z")


def utc_datetime(value) -> datetime.datetime | None:
    """A ServiceTitan timestamp (`modifiedOn`, a date copied from a record's owner) as an aware datetime, by the
    mapping's rules: ISO 8601 text naming a real moment (see `check_date_text`), or a datetime; no offset means UTC,
    as ServiceTitan means it. None when it is not one. The one normaliser for timestamps read outside a mapped
    column (the raw row's modifiedOn, webhooks, copied line columns, the push's freshness check)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
    if type(value) is str and _UTC_STAMP.fullmatch(value):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:  # no such day or time (month 13, 30 February, 24:00)
            return None
    try:
        check_date_text(value)
        parsed = _DATETIME.to_python(value)
    except (BadValue, ValidationError, TypeError, ValueError):
        return None
    if isinstance(parsed, datetime.datetime) and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


# --- The same rules in SQL, over the value's text (`payload #>> path`) ---------------------------------------------------
def _sql_literal(pattern: str) -> str:
    return "'" + pattern.replace("'", "''") + "'"


# PostgreSQL's regular expressions pay for every bounded repetition (`{1,40}`, `{0,100}`) and alternation: the full
# patterns above cost ~8 µs a value, most of a page's mapping. Each has a cheap subset for the usual shapes (unbounded
# repetition under a length limit, no alternation) tried first; only a value outside it meets the full pattern, so SQL
# accepts exactly what the full pattern (and Python) accepts.
_SQL_FAST = {
    INTEGER_TEXT: (r"^-?[0-9]+$", 20),
    NUMBER_TEXT: (r"^-?[0-9]+(\.[0-9]+)?$", 40),
}
# Dates: ServiceTitan's own form (`2024-03-15T12:34:56.1234567Z`), fields in range checked by text comparison.
_SQL_FAST_DATE = r"^[1-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\.[0-9]+)?Z$"
_SQL_FAST_DATE_LENGTH = 41  # 19 characters to the seconds, a dot and at most 20 digits of a second, Z


def _sql_matches(text: str, pattern: str) -> str:
    """`text ~ pattern`, its cheap subset first."""
    if pattern == DATE_TEXT:
        fast = (
            f"char_length({text}) <= {_SQL_FAST_DATE_LENGTH} AND {text} ~ {_sql_literal(_SQL_FAST_DATE)} "
            f"AND substring({text} from 6 for 2) BETWEEN '01' AND '12' AND substring({text} from 9 for 2) BETWEEN '01' AND '31' "
            f"AND substring({text} from 12 for 2) <= '23'"
        )
    else:
        subset, length = _SQL_FAST[pattern]
        fast = f"char_length({text}) <= {length} AND {text} ~ {_sql_literal(subset)}"
    return f"(CASE WHEN {fast} THEN true ELSE {text} ~ {_sql_literal(pattern)} END)"


def sql_guard(field: models.Field, text: str) -> str | None:
    """An SQL boolean: the text `text` (not NULL) fits `field`'s column. None when every text fits."""
    kind = field.get_internal_type()
    if kind in INTEGER_RANGES:
        low, high = INTEGER_RANGES[kind]
        # Short texts are in range without a cast (the common case); the rest are compared as numbers.
        short = f"(char_length({text}) < {len(str(high))}" + (")" if low < 0 else f" AND left({text}, 1) <> '-')")
        return (
            f"(CASE WHEN {_sql_matches(text, INTEGER_TEXT)} "
            f"THEN {short} OR ({text})::numeric BETWEEN {low} AND {high} ELSE false END)"
        )
    if kind == "DecimalField":
        limit = f"1e{field.max_digits - field.decimal_places}"
        return (
            f"(CASE WHEN {_sql_matches(text, NUMBER_TEXT)} "
            f"THEN (char_length({text}) <= {field.max_digits - field.decimal_places} AND strpos(lower({text}), 'e') = 0) "
            f"OR abs(round(({text})::numeric, {field.decimal_places})) < {limit}::numeric ELSE false END)"
        )
    if kind == "FloatField":
        return (
            f"(CASE WHEN {_sql_matches(text, NUMBER_TEXT)} THEN ({text})::numeric = 0 "
            f"OR abs(({text})::numeric) BETWEEN {FLOAT_MIN}::numeric AND {FLOAT_MAX}::numeric ELSE false END)"
        )
    if kind == "BooleanField":
        return f"({text} IN ({', '.join(map(_sql_literal, (*TRUE_TEXTS, *FALSE_TEXTS)))}))"
    if kind in ("DateTimeField", "DateField"):
        year, month, day = (
            f"substring({text} from {start} for {length})::int" for start, length in ((1, 4), (6, 2), (9, 2))
        )
        leap = f"(mod({year}, 4) = 0 AND mod({year}, 100) <> 0 OR mod({year}, 400) = 0)"
        days = (
            f"CASE {month} WHEN 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
            f"WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30 ELSE 31 END"
        )
        early = f"substring({text} from 9 for 2) <= '28'"  # every month has those days: no calendar arithmetic
        return f"(CASE WHEN {_sql_matches(text, DATE_TEXT)} THEN {early} OR {day} <= {days} ELSE false END)"
    if kind in ("CharField", "TextField") and field.max_length is not None:
        return f"(char_length({text}) <= {field.max_length})"
    return None


def sql_value_guard(field: models.Field, value: str) -> str | None:
    """An SQL boolean: the typed value `value` (a `Computed`'s) fits `field`'s column. None when any value fits."""
    kind = field.get_internal_type()
    if kind in INTEGER_RANGES:
        low, high = INTEGER_RANGES[kind]
        return f"(({value}) BETWEEN {low} AND {high})"
    if kind == "DecimalField":
        limit = f"1e{field.max_digits - field.decimal_places}"
        return f"(abs(round(({value})::numeric, {field.decimal_places})) < {limit}::numeric)"
    if kind in ("CharField", "TextField") and field.max_length is not None:
        return f"(char_length({value}) <= {field.max_length})"
    return None


def sql_boolean(text: str) -> str:
    """The boolean of a text by the rules above; NULL when it is neither."""
    trues = ", ".join(map(_sql_literal, TRUE_TEXTS))
    falses = ", ".join(map(_sql_literal, FALSE_TEXTS))
    return f"(CASE WHEN {text} IN ({trues}) THEN true WHEN {text} IN ({falses}) THEN false END)"
