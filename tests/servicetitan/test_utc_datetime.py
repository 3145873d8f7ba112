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


def test_servicetitans_own_shape_reads_as_the_general_rules_read_it():
    """The fast path for "YYYY-MM-DDTHH:MM:SS(.fffffff)Z" answers what the general path (the ISO check, then Django's
    parsing) answers, valid or not: compared on every boundary of every part."""
    from servicetitan import conversions

    def general(text):
        try:
            conversions.check_date_text(text)
            return conversions._DATETIME.to_python(text)
        except Exception:  # any refusal reads as "not a timestamp"
            return None

    years, months, days = (
        ("1999", "2024", "2025", "9999"),
        ("00", "01", "02", "09", "12", "13"),
        ("00", "01", "28", "29", "30", "31", "32"),
    )
    times = ("00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60")
    fractions = ("", ".5", ".123456", ".1234567")
    checked = 0
    for year in years:
        for month in months:
            for day in days:
                for time in times:
                    for fraction in fractions:
                        text = f"{year}-{month}-{day}T{time}{fraction}Z"
                        assert conversions._UTC_STAMP.fullmatch(text), text
                        assert utc_datetime(text) == general(text), text
                        checked += 1
    assert checked == 4 * 6 * 7 * 5 * 4
