"""Vendor price files: matching by the vendor's parts then by code, the preview, cost overrides, the push of the
vendor's cost, the remembered column mapping and st_import_costs."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from devtools.simulator.generators import DISTRIBUTOR
from devtools.simulator.price_files import distributor_price_file
from pricebook.models import Material, PricebookOverride, PricebookOverrideChange, PriceHistory, VendorPriceMapping
from pricebook.services.push import push_overrides
from pricebook.services.vendor_costs import (
    apply_vendor_costs,
    guess_columns,
    preview_vendor_costs,
    read_price_file,
    remember_columns,
)
from tests.pricebook.factories import make_material

KEY = "pricebook.materials"


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def preview_of(content: bytes, vendor=DISTRIBUTOR, filename="prices.csv", columns=None):
    headers, grid = read_price_file(filename, content)
    return preview_vendor_costs(vendor, headers, grid, columns or guess_columns(headers, vendor))


def distributor_materials() -> dict[str, Material]:
    found = {}
    for material in Material.objects.exclude(other_vendors=[]):
        for vendor in material.other_vendors:
            if vendor.get("vendorName") == DISTRIBUTOR:
                found[vendor["vendorPart"]] = material
    assert found, "the simulator seeds the distributor's parts"
    return found


def test_the_sample_file_previews_matched_unmatched_and_invalid_rows(synced):
    parts = distributor_materials()
    preview = preview_of(distributor_price_file(synced.dataset))

    assert preview.columns == {
        "vendor_part": "Mfr Part #",
        "cost": "Net Price",
        "code": "Item Code",
        "description": "Description",
        "unit": "Unit",
    }
    by_part = {m.part: m for m in preview.matched if m.part}
    assert set(by_part) == set(parts)
    for part, match in by_part.items():
        assert match.st_id == parts[part].st_id and match.matched_by == "vendor part"
        assert Decimal(match.old_cost) == parts[part].cost
    assert preview.changed and len(preview.changed) < len(preview.matched)
    some = preview.changed[0]
    assert some.change_percent == (
        (Decimal(some.new_cost) - Decimal(some.old_cost)) / Decimal(some.old_cost) * 100
    ).quantize(Decimal("0.1"))
    by_code = [m for m in preview.matched if m.matched_by == "code"]
    assert len(by_code) == 1 and by_code[0].item_code == by_code[0].code
    assert sorted(p.part for p in preview.unmatched) == ["FER-90002", "FER-90003", "FER-90004"]
    assert all("No material has Ferguson Supply part" in p.reason for p in preview.unmatched)
    assert [(p.cost, "not valid" in p.reason) for p in preview.invalid] == [("call", True), ("-4.00", True)]
    assert not PricebookOverride.objects.exists()  # nothing written by a preview


def test_rows_matching_several_items_are_listed_not_applied(db):
    first = make_material(code="A-1", vendor_name="Acme", vendor_part="X-9")
    second = make_material(code="A-2", vendor_name="Acme", vendor_part="x-9")
    single = make_material(code="A-3", other_vendors=[{"vendorName": "ACME", "vendorPart": "Y-1", "cost": 3}])
    preview = preview_of(csv_bytes([["cost", "part"], ["4.50", "X-9"], ["7", "Y-1"], ["8", ""]]), vendor="Acme")
    (ambiguous,) = preview.ambiguous
    assert ambiguous.st_ids == sorted([first.st_id, second.st_id]) and ambiguous.line == 2
    assert [m.st_id for m in preview.matched] == [single.st_id]
    assert [p.reason for p in preview.unmatched] == ["No part number."]


def test_a_pending_cost_override_is_the_old_cost_shown(db):
    material = make_material(code="B-1", vendor_name="Acme", vendor_part="P-1")
    apply_vendor_costs(preview_of(csv_bytes([["part", "cost"], ["P-1", "5"]]), vendor="Acme"))
    preview = preview_of(csv_bytes([["part", "cost"], ["P-1", "6"]]), vendor="Acme")
    assert (preview.matched[0].st_id, preview.matched[0].old_cost) == (material.st_id, "5.0000")


def test_confirming_creates_cost_overrides_and_the_push_updates_the_vendors_cost(synced, editor):
    preview = preview_of(distributor_price_file(synced.dataset))
    changed = {m.st_id: Decimal(m.new_cost) for m in preview.changed}
    by_part = {m.st_id for m in preview.changed if m.matched_by == "vendor part"}
    ids = apply_vendor_costs(preview, user=editor).override_ids

    overrides = PricebookOverride.objects.filter(pk__in=ids)
    assert {o.st_pricebook_id: o.override_cost for o in overrides} == changed
    assert {(o.status, o.origin, o.cost_vendor, o.changed_by_id) for o in overrides} == {
        ("pending", "import", DISTRIBUTOR, editor.pk)
    }
    assert PricebookOverrideChange.objects.filter(override__in=overrides, action="edited").count() == len(ids)

    result = push_overrides(ids)
    assert sorted(result.synced) == sorted(ids), result.failed
    for st_id, cost in changed.items():
        record = synced.dataset.get(KEY, st_id)
        assert Decimal(str(record["cost"])) == cost
        vendors = [v for v in record.get("otherVendors") or [] if v["vendorName"] == DISTRIBUTOR]
        # Matched by the distributor's part: its cost on the item follows; matched by code: the item has no such vendor.
        assert [Decimal(str(v["cost"])) for v in vendors] == ([cost] if st_id in by_part else [])
        assert Material.objects.get(st_id=st_id).cost == cost
    history = PriceHistory.objects.filter(field="cost")
    assert {h.st_pricebook_id for h in history} == set(changed)
    assert {(h.source, h.changed_by_id) for h in history} == {("import", editor.pk)}


def test_a_single_push_sends_the_vendors_cost_too(synced, editor):
    parts = distributor_materials()
    part, material = sorted(parts.items())[0]
    (override_id,) = apply_vendor_costs(
        preview_of(csv_bytes([["part", "cost"], [part, "123.40"]])), user=editor
    ).override_ids
    push_overrides([override_id], mode="single")
    record = synced.dataset.get(KEY, material.st_id)
    assert record["cost"] == 123.4
    assert [v["cost"] for v in record["otherVendors"] if v["vendorName"] == DISTRIBUTOR] == [123.4]


def test_the_column_mapping_is_remembered_per_vendor(db):
    make_material(code="C-1", vendor_name="Grainger", vendor_part="G-7", cost=Decimal("2"))
    content = csv_bytes([["Our ref", "Dealer cost", "Text"], ["G-7", "2.20", "Widget"]])
    headers, _ = read_price_file("g.csv", content)
    assert "vendor_part" not in guess_columns(headers, "Grainger")  # "Our ref" says nothing
    remember_columns("Grainger", {"vendor_part": "Our ref", "cost": "Dealer cost", "description": "Text"})
    assert guess_columns(headers, "grainger") == {
        "vendor_part": "Our ref",
        "cost": "Dealer cost",
        "description": "Text",
    }
    assert preview_of(content, vendor="Grainger").changed[0].new_cost == "2.2000"
    assert VendorPriceMapping.objects.get().vendor_name == "Grainger"


def test_an_excel_file_reads_like_a_csv(db):
    from openpyxl import Workbook

    make_material(code="D-1", vendor_name="Acme", vendor_part="12345", cost=Decimal("1"))
    workbook = Workbook()
    workbook.active.append(["Net Price", "Part Number"])
    workbook.active.append([1.75, 12345])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = preview_of(buffer.getvalue(), vendor="Acme", filename="acme.xlsx")
    assert [(m.part, m.new_cost) for m in preview.matched] == [("12345", "1.7500")]


def test_the_command_counts_writes_and_dry_runs(synced, tmp_path, capsys):
    path = tmp_path / "ferguson.csv"
    path.write_bytes(distributor_price_file(synced.dataset))
    preview = preview_of(path.read_bytes())
    counts = preview.counts()

    call_command("st_import_costs", str(path), "--vendor", DISTRIBUTOR, "--dry-run")
    out = capsys.readouterr().out
    expected = f"matched {counts['matched']}, changed {counts['changed']}, unmatched 3, ambiguous 0, invalid 2"
    assert expected in out and "nothing written" in out
    assert not PricebookOverride.objects.exists()

    call_command("st_import_costs", str(path), "--vendor", DISTRIBUTOR)
    assert PricebookOverride.objects.filter(override_cost__isnull=False).count() == counts["changed"]
    assert f"cost overrides written: {counts['changed']}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), (b"", "empty"), (b"PK\x03\x04 not really excel", "Excel file cannot be read")],
)
def test_the_command_fails_on_an_unreadable_file(db, tmp_path, content, message):
    path = tmp_path / "prices.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("st_import_costs", str(path), "--vendor", "Acme")


def test_the_command_needs_a_cost_column(db, tmp_path):
    path = tmp_path / "prices.csv"
    path.write_bytes(csv_bytes([["part", "colour"], ["X", "red"]]))
    with pytest.raises(CommandError, match="cost"):
        call_command("st_import_costs", str(path), "--vendor", "Acme")


def test_the_admin_upload_maps_previews_and_confirms(synced, editor, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(editor)
    url = "/admin/pricebook/material/vendor-costs/"
    assert client.get(url).status_code == 200
    content = distributor_price_file(synced.dataset)
    expected = preview_of(content)
    upload = SimpleUploadedFile("ferguson.csv", content, content_type="text/csv")
    page = client.post(url, {"vendor": DISTRIBUTOR, "file": upload, "_upload": "1"}).content.decode()
    assert f"{expected.counts()['changed']} with a new cost" in page
    assert "FER-90002" in page and "not valid" in page
    assert not PricebookOverride.objects.exists()

    # Map the description as the part number: only the row naming its item by code still matches.
    columns = {f"column_{role}": header for role, header in expected.columns.items()}
    wrong = {**columns, "column_vendor_part": "Description", "_remap": "1"}
    assert "(1 with a new cost)" in " ".join(client.post(url, wrong).content.decode().split())
    assert not PricebookOverride.objects.exists()

    answer = client.post(url, {**columns, "_confirm": "1"})
    assert answer.status_code == 302 and "override_status=pending" in answer["Location"]
    assert PricebookOverride.objects.filter(override_cost__isnull=False).count() == expected.counts()["changed"]
    assert VendorPriceMapping.objects.get(vendor_name=DISTRIBUTOR).columns == expected.columns


def test_the_admin_upload_is_for_editors_only(synced, viewer, client):
    client.force_login(viewer)
    assert client.get("/admin/pricebook/material/vendor-costs/").status_code == 403


def test_confirming_proposes_a_reprice_of_the_changed_items_waiting_for_approval(db, editor):
    from pricebook.models import PricingRule, RepriceBatch

    material = make_material(code="R-1", vendor_name="Acme", vendor_part="P-9", cost=Decimal("10"), price=Decimal("15"))
    make_material(code="R-2", vendor_name="Acme", vendor_part="P-8", cost=Decimal("4"), price=Decimal("8"))
    PricingRule.objects.create(
        tenant_id=material.tenant_id, name="default", item_type="material", markup="percent", markup_percent=50
    )
    preview = preview_of(csv_bytes([["part", "cost"], ["P-9", "20"], ["P-8", "4"]]), vendor="Acme")

    applied = apply_vendor_costs(preview, user=editor)

    batch = applied.batch
    assert batch is not None and batch.status == RepriceBatch.Status.PROPOSED and batch.created_by == editor
    # Only the item whose cost changed, priced from its new cost: 20 × 1.5 = 30.
    assert [(row.st_pricebook_id, row.new_price) for row in batch.rows.all()] == [(material.st_id, Decimal("30"))]
    # Nothing is priced before approval: only the cost override exists.
    assert not PricebookOverride.objects.filter(override_price__isnull=False).exists()


def test_approving_the_proposed_reprice_makes_the_prices_lazis_edit(db, editor):
    """The items' overrides held a vendor file's cost (origin `import`); prices an approver chose are LAZI's edit, so
    their push is recorded as "pushed from LAZI" with the batch, not as imported."""
    from pricebook.models import PricingRule
    from pricebook.services.groups import APPROVERS
    from pricebook.services.reprice import approve_batch
    from tests.pricebook.conftest import staff_of

    material = make_material(code="R-3", vendor_name="Acme", vendor_part="P-7", cost=Decimal("10"), price=Decimal("15"))
    PricingRule.objects.create(
        tenant_id=material.tenant_id, name="default", item_type="material", markup="percent", markup_percent=50
    )
    applied = apply_vendor_costs(preview_of(csv_bytes([["part", "cost"], ["P-7", "20"]]), vendor="Acme"), user=editor)
    override = PricebookOverride.objects.get(pk=applied.override_ids[0])
    assert override.origin == PricebookOverride.Origin.IMPORT

    result = approve_batch(applied.batch, rows="all", user=staff_of(APPROVERS))

    override.refresh_from_db()
    assert result.approved == 1 and override.override_price == Decimal("30")
    assert override.origin == PricebookOverride.Origin.EDIT
