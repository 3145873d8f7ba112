"""Price change arithmetic and spreadsheet parsing (no ServiceTitan involved)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricebook.services.pricing import Rounding, changed_price, round_price
from pricebook.services.spreadsheets import ImportFileError, preview_import, read_table, write_xlsx
from tests.pricebook.factories import make_material


@pytest.mark.parametrize(
    ("value", "rule", "expected"),
    [
        ("12.344", Rounding.CENTS, "12.34"),
        ("12.345", Rounding.CENTS, "12.35"),
        ("12.50", Rounding.WHOLE, "13.00"),
        ("12.34", Rounding.UP_99, "12.99"),
        ("12.99", Rounding.UP_99, "12.99"),
        ("13.00", Rounding.UP_99, "13.99"),
        ("12.96", Rounding.UP_95, "13.95"),
        ("12.10", Rounding.UP_95, "12.95"),
    ],
)
def test_rounding_rules(value, rule, expected):
    assert round_price(Decimal(value), rule) == Decimal(expected)


def test_percent_and_amount_changes():
    assert changed_price(Decimal("100"), mode="percent", amount=Decimal("10"), rounding=Rounding.CENTS) == Decimal(
        "110.00"
    )
    assert changed_price(Decimal("100"), mode="percent", amount=Decimal("-15"), rounding=Rounding.CENTS) == Decimal(
        "85.00"
    )
    assert changed_price(Decimal("9.50"), mode="amount", amount=Decimal("2.25"), rounding=Rounding.UP_99) == Decimal(
        "11.99"
    )
    with pytest.raises(ValueError, match="unknown price change mode"):
        changed_price(Decimal(1), mode="double", amount=Decimal(1), rounding=Rounding.CENTS)


def test_read_table_accepts_csv_headings_and_excel():
    table = read_table("a.csv", "\ufeffCode,Member Price,Add-on price\nX,1,2\n".encode())
    assert table == [{"code": "X", "member_price": "1", "add_on_price": "2"}]
    xlsx = write_xlsx([{"code": "Y", "price": Decimal("3.5")}])
    assert read_table("b.xlsx", xlsx)[0]["price"] == 3.5
    with pytest.raises(ImportFileError, match="'code' column"):
        read_table("c.csv", b"name,price\nA,1\n")


@pytest.mark.django_db
def test_import_preview_reports_each_bad_row_and_ignores_unchanged_cells():
    make_material(code="P-1", price="10.00", name="Pipe")
    make_material(code="DUP", price="1.00")
    make_material(code="DUP", price="2.00")
    content = b"code,name,price,active\nP-1,Pipe,10.00,yes\nP-1,,12,\nDUP,,3,\n,,,\nP-1,,,maybe\n"

    preview = preview_import("material", "x.csv", content)

    by_line = {row.line: row for row in preview.rows}
    assert by_line[2].changes == {} and by_line[2].errors == []  # equal to what is shown: no change
    assert by_line[3].changes == {"price": (Decimal("10.0000"), Decimal("12.0000"))}
    assert "several items have code 'DUP'" in by_line[4].errors[0]
    assert by_line[6].errors == ["active: 'maybe' should be yes or no"]
    assert [row.line for row in preview.changed] == [3]
