"""Spreadsheet round-trip: cost and category columns, plain numbers, and stale rows flagged instead of reverting a
newer edit."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from pricebook.models import Material, PricebookOverride
from pricebook.services.overrides import save_override
from pricebook.services.spreadsheets import export_rows, preview_import, write_csv, write_xlsx
from tests.pricebook.factories import make_category, make_material

pytestmark = pytest.mark.django_db


def exported_csv(**filters) -> list[dict]:
    content = write_csv(export_rows(Material.objects.filter(**filters), "material"))
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def as_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_export_has_cost_and_category_columns_and_plain_numbers():
    valves = make_category("Valves", parent=make_category("Plumbing"))
    make_material(code="V-1", price="99.99", cost=Decimal("12.5"), categories=[valves])
    [row] = exported_csv(code="V-1")
    assert row["price"] == "99.99" and row["cost"] == "12.50" and row["member_price"] == "89.99"
    assert row["category"] == "Plumbing > Valves"
    assert datetime.datetime.fromisoformat(row["exported_at"]) <= timezone.now()

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(write_xlsx(export_rows(Material.objects.all(), "material")))).active
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["price"].value == 99.99 and cells["price"].number_format == "0.00" and cells["cost"].value == 12.5


def test_an_import_of_a_file_older_than_an_edit_flags_the_row_stale(editor):
    kept = make_material(code="K-1", price="10.00", st_modified_on=timezone.now() - datetime.timedelta(days=3))
    edited = make_material(code="E-1", price="20.00", st_modified_on=timezone.now() - datetime.timedelta(days=3))
    rows = exported_csv(code__in=["K-1", "E-1"])
    # After the export, somebody changes E-1 in the admin.
    later = timezone.now() + datetime.timedelta(seconds=2)
    save_override(item_type="material", st_id=edited.st_id, values={"price": Decimal("25.00")}, user=editor)
    PricebookOverride.objects.filter(st_pricebook_id=edited.st_id).update(changed_at=later)
    # The old file is edited and imported: both rows change the price.
    for row in rows:
        row["price"] = "30.00"

    preview = preview_import("material", "old.csv", as_csv(rows))
    by_code = {row.code: row for row in preview.rows}
    assert by_code["K-1"].changes and not by_code["K-1"].errors
    assert by_code["E-1"].stale and "changed on" in by_code["E-1"].errors[0]
    assert [r.code for r in preview.changed] == ["K-1"]  # the newer edit is not reverted
    assert PricebookOverride.objects.get(st_pricebook_id=edited.st_id).override_price == Decimal("25.00")
    assert kept.st_id in {r.st_id for r in preview.changed}


def test_a_file_without_exported_at_imports_as_before():
    make_material(code="N-1", price="10.00")
    preview = preview_import("material", "hand.csv", b"code,price\nN-1,12.00\n")
    assert [r.code for r in preview.changed] == ["N-1"] and not preview.stale
