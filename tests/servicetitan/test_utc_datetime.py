"""`conversions.utc_datetime`: the one normaliser of ServiceTitan timestamps read outside a mapped column."""

import datetime

import pytest

from pricebook.models import Material
from servicetitan.conversions import utc_datetime

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-02T03:04:05Z", datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02T03:04:05", datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),  # no offset: UTC
        ("2026-01-02T05:04:05+02:00", datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02T03:04:05.1234567Z", datetime.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        (datetime.datetime(2026, 1, 2, 3, 4, 5), datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-02-30T00:00:00Z", None),  # no such day
        ("0001-01-01T00:00:00Z", None),
        ("yesterday", None),
        ("", None),
        (12, None),
        (None, None),
    ],
)
def test_utc_datetime(value, expected):
    moment = utc_datetime(value)
    assert moment == expected
    assert moment is None or moment.tzinfo is not None  # always aware: never the server's local time


def test_it_agrees_with_the_mapped_modified_on_column():
    for text in ("2026-01-02T03:04:05", "2026-01-02T03:04:05.5+01:00", "2026-13-01T00:00:00Z"):
        mapped = Material.values_from_payload({"id": 1, "modifiedOn": text})["st_modified_on"]
        assert utc_datetime(text) == mapped
