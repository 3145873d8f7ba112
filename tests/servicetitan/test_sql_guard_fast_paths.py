"""The SQL guards' cheap first patterns (`conversions._sql_matches`) accept exactly what the full patterns accept:
values at and around each fast path's edges give the same verdict in SQL as in Python."""

import pytest
from django.db import connection, models

from servicetitan import conversions

pytestmark = pytest.mark.django_db

INTEGERS = [
    "0",
    "-1",
    "+1",
    "12345678901234567890",
    "-12345678901234567890",
    "+12345678901234567890",
    "1" * 21,
    "2147483647",
    "2147483648",
    "-2147483648",
    "1.0",
    "",
    "--1",
    "1e3",
    " 1",
]
NUMBERS = [
    "0",
    "1234.5678",
    "-1234.5678",
    "+1.5",
    ".5",
    "5.",
    "1e3",
    "1E-3",
    "9999999999.99994",
    "9999999999.99995",
    "1" * 40,
    "1" * 41,
    "1." + "0" * 100,
    "1." + "0" * 101,
    "1" * 39 + "." + "1",
    "--1",
    "1.2.3",
    "NaN",
    "",
]
DATES = [
    "2024-03-15T12:34:56.1234567Z",
    "2024-02-29T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-00-10T00:00:00Z",
    "2024-01-00T00:00:00Z",
    "2024-01-32T00:00:00Z",
    "2024-01-39T00:00:00Z",
    "2024-04-31T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T23:59:59Z",
    "2024-01-01T19:00:00." + "1" * 20 + "Z",
    "2024-01-01T19:00:00." + "1" * 21 + "Z",
    "0999-01-01T00:00:00Z",
    "2024-01-01",
    "2024-01-01 10:00:00+02:00",
    "2024-01-01T10:00",
    "2024-01-01T10:00:00.Z",
    "2024-1-01T00:00:00Z",
]


def _sql_verdicts(field, texts):
    guard = conversions.sql_guard(field, "t")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t, COALESCE({guard}, false) FROM UNNEST(%s::text[]) AS u(t)", [texts])
        return dict(cursor.fetchall())


def _python_verdict(check, value) -> bool:
    try:
        check(value)
    except conversions.BadValue:
        return False
    return True


@pytest.mark.parametrize(
    ("field", "texts", "check"),
    [
        (models.BigIntegerField(), INTEGERS, lambda v: conversions.check_integer(models.BigIntegerField(), v)),
        (models.IntegerField(), INTEGERS, lambda v: conversions.check_integer(models.IntegerField(), v)),
        (
            models.DecimalField(max_digits=14, decimal_places=4),
            NUMBERS,
            lambda v: conversions.check_decimal(models.DecimalField(max_digits=14, decimal_places=4), v, str),
        ),
        (models.FloatField(), NUMBERS, conversions.check_float),
        (models.DateTimeField(), DATES, conversions.check_date_text),
    ],
)
def test_sql_guards_agree_with_python_around_the_fast_paths(field, texts, check):
    if connection.vendor != "postgresql":
        pytest.skip("SQL guards are PostgreSQL's")
    verdicts = _sql_verdicts(field, texts)
    assert verdicts == {text: _python_verdict(check, text) for text in texts}
    assert any(verdicts.values()) and not all(verdicts.values())
