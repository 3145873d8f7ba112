"""The pricebook admin for office staff: lists, the item page, actions, price changes, export/import, tree."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from pricebook.models import Material, PricebookOverride
from pricebook.services.overrides import save_override
from tests.pricebook.factories import make_category, make_material
from tests.pricebook.images import image_bytes

Status = PricebookOverride.Status
LIST = "admin:pricebook_material_changelist"


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.django_db
def test_list_shows_effective_values_and_status(editor_client, editor):
    pipes = make_category("Pipes")
    material = make_material(code="CU-1", name="Copper pipe", price="10.00", categories=[pipes])
    save_override(item_type="material", st_id=material.st_id, values={"price": Decimal("19.99")}, user=editor)

    page = editor_client.get(reverse(LIST))

    assert page.status_code == 200
    html = page.content.decode()
    assert "CU-1" in html and "Copper pipe" in html and "Pipes" in html
    assert "19.99" in html and "pb-badge pb-pending" in html
    assert ">10.00<" not in html  # the override is what staff see while it is pending


@pytest.mark.django_db
def test_list_filters_and_search(editor_client, editor):
    root = make_category("Plumbing")
    child = make_category("Valves", parent=root)
    other = make_category("Electrical")
    in_child = make_material(code="VAL-1", categories=[child], default_image_url="Images/Seed/x.png")
    elsewhere = make_material(code="WIRE-1", categories=[other], description="thick copper wire")
    inactive = make_material(code="OLD-1", active=False)
    save_override(item_type="material", st_id=elsewhere.st_id, values={"price": Decimal("1")}, user=editor)

    def codes(**params):
        response = editor_client.get(reverse(LIST), params)
        assert response.status_code == 200
        return {m.code for m in response.context["cl"].result_list}

    assert codes(category=root.pk) == {"VAL-1"}  # the subtree
    assert codes(category=other.pk) == {"WIRE-1"}
    assert codes(override_status="pending") == {"WIRE-1"}
    assert codes(override_status="none") == {"VAL-1", "OLD-1"}
    assert codes(active__exact="0") == {"OLD-1"}
    assert codes(has_image="yes") == {"VAL-1"}
    assert codes(q="copper") == {"WIRE-1"}  # description
    assert codes(q="VAL-1") == {"VAL-1"}
    assert in_child and inactive


@pytest.mark.django_db
def test_item_page_shows_servicetitan_values_and_the_form(editor_client, editor):
    material = make_material(code="A-1", name="Widget", price="10.00")
    save_override(item_type="material", st_id=material.st_id, values={"name": "Better widget"}, user=editor)

    page = editor_client.get(reverse("admin:pricebook_material_change", args=[material.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "ServiceTitan&#x27;s values and your override" in html or "ServiceTitan's values and your override" in html
    assert 'value="Better widget"' in html  # the override, in the form
    assert ">Widget<" in html  # ServiceTitan's, read-only beside it
    assert "History" in html and "Edited" in html


@pytest.mark.django_db
def test_failed_override_shows_servicetitans_message_next_to_the_field(editor_client, editor):
    material = make_material()
    override = save_override(item_type="material", st_id=material.st_id, values={"price": Decimal("12.5")}, user=editor)
    PricebookOverride.objects.filter(pk=override.pk).update(
        status=Status.FAILED,
        error_message="ServiceTitan answered 400: Price: Price is locked by a price rule",
        field_errors={"price": ["Price is locked by a price rule"]},
    )
    html = editor_client.get(reverse("admin:pricebook_material_change", args=[material.pk])).content.decode()
    row = html[html.index('data-field="price"') :]
    row = row[: row.index("</tr>")]
    assert "Price is locked by a price rule" in row
    assert "ServiceTitan refused this change" in html
    # Both values, clearly: the refused one stays on the override (and in the field to correct it), the item's price
    # stays ServiceTitan's.
    assert "Refused by ServiceTitan: 12.50" in row and "stays ServiceTitan's (10.00)" in row
    assert 'value="12.50"' in row


@pytest.mark.django_db
def test_conflict_page_shows_both_values_and_the_choices(editor_client, editor):
    material = make_material(price="10.00")
    override = save_override(item_type="material", st_id=material.st_id, values={"price": Decimal("15")}, user=editor)
    PricebookOverride.objects.filter(pk=override.pk).update(status=Status.CONFLICT)
    url = reverse("admin:pricebook_material_change", args=[material.pk])
    html = editor_client.get(url).content.decode()
    assert "Keep mine" in html and "Take ServiceTitan" in html
    assert ">10.00<" in html and 'value="15.00"' in html

    editor_client.post(url, {"_take_servicetitan": "1"})
    assert not PricebookOverride.objects.exists()


@pytest.mark.django_db
def test_a_bad_image_is_refused_in_the_form(editor_client):
    material = make_material()
    url = reverse("admin:pricebook_material_change", args=[material.pk])
    upload = io.BytesIO(b"MZ\x90\x00 definitely not a picture")
    upload.name = "photo.jpg"
    page = editor_client.post(url, {"name": material.name, "price": "10", "image": upload, "_override": "1"})
    assert page.status_code == 200
    assert "Only JPEG, PNG, GIF or WebP" in page.content.decode()
    assert not PricebookOverride.objects.exists()

    good = io.BytesIO(image_bytes("JPEG"))
    good.name = "photo.jpg"
    response = editor_client.post(url, {"name": material.name, "price": "10", "image": good, "_override": "1"})
    assert response.status_code == 302
    assert PricebookOverride.objects.get().override_image_mime_type == "image/jpeg"


def _action(client, action, items, **extra):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(m.pk) for m in items], **extra}
    return client.post(reverse(LIST), data)


@pytest.mark.django_db
def test_price_change_is_previewed_then_applied(editor_client):
    first, second = make_material(price="10.00"), make_material(price="20.00")
    options = {"fields_to_change": ["price"], "mode": "percent", "amount": "10", "rounding": "up_99"}

    preview = _action(editor_client, "change_prices", [first, second], _preview="1", **options)

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "11.99" in html and "22.99" in html
    assert not PricebookOverride.objects.exists()

    applied = _action(editor_client, "change_prices", [first, second], _apply="1", **options)
    assert applied.status_code == 302
    prices = dict(PricebookOverride.objects.values_list("st_pricebook_id", "override_price"))
    assert prices == {first.st_id: Decimal("11.99"), second.st_id: Decimal("22.99")}


@pytest.mark.django_db
def test_export_csv_and_excel(editor_client, editor):
    material = make_material(code="EXP-1", price="12.00")
    save_override(item_type="material", st_id=material.st_id, values={"price": Decimal("13.50")}, user=editor)

    response = _action(editor_client, "export_csv", [material])
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["code"] == "EXP-1" and rows[0]["price"] == "13.50" and rows[0]["override_status"] == "pending"

    response = _action(editor_client, "export_xlsx", [material])
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["code"] == "EXP-1" and values["price"] == 13.5


@pytest.mark.django_db
def test_import_previews_then_applies_with_errors_per_row(editor_client):
    make_material(code="IMP-1", price="10.00")
    make_material(code="IMP-2", price="20.00")
    url = reverse("admin:pricebook_material_import")
    content = "code,price,active\nIMP-1,11.50,\nIMP-2,abc,\nNOPE,1,\nIMP-2,20.00,no\n"
    upload = io.BytesIO(content.encode())
    upload.name = "prices.csv"

    preview = editor_client.post(url, {"file": upload, "item_type": "material"})

    html = preview.content.decode()
    assert preview.status_code == 200
    assert "price: &#x27;abc&#x27; is not a number" in html and "no material with code &#x27;NOPE&#x27;" in html
    assert "2 item(s) to change, 2 row(s) with errors" in html
    assert not PricebookOverride.objects.exists()

    done = editor_client.post(url, {"_apply": "1"})
    assert done.status_code == 302
    overrides = {o.st_pricebook_id: o for o in PricebookOverride.objects.all()}
    imp1, imp2 = Material.objects.get(code="IMP-1"), Material.objects.get(code="IMP-2")
    assert overrides[imp1.st_id].override_price == Decimal("11.50")
    assert overrides[imp2.st_id].override_active is False and overrides[imp2.st_id].override_price is None


@pytest.mark.django_db
def test_category_tree_page(editor_client):
    root = make_category("Plumbing")
    child = make_category("Valves", parent=root)
    make_material(categories=[child])
    make_material(categories=[child])
    page = editor_client.get(reverse("admin:pricebook_category_tree"))
    assert page.status_code == 200
    rows = {c.name: c for c in page.context["categories"]}
    assert rows["Valves"].material_count == 2 and rows["Plumbing"].depth == 0
    assert "Valves" in page.content.decode()


@pytest.mark.django_db
def test_raw_pages_are_readable(editor_client):
    from pricebook.models import RawMaterial

    raw = RawMaterial.objects.create(
        tenant_id=1000001, st_id=5, payload={"id": 5, "code": "RAW-5"}, payload_hash="x", fetched_at="2024-01-01T00:00Z"
    )
    page = editor_client.get(reverse("admin:pricebook_rawmaterial_change", args=[raw.pk]))
    assert page.status_code == 200 and "RAW-5" in page.content.decode()


def test_push_and_refresh_actions_against_the_simulator(synced, editor_client, editor):
    items = list(Material.objects.filter(active=True).order_by("st_id")[:2])
    for item in items:
        save_override(item_type="material", st_id=item.st_id, values={"price": Decimal("33.33")}, user=editor)

    response = _action(editor_client, "push_selected", items)

    assert response.status_code == 302
    assert set(PricebookOverride.objects.values_list("status", flat=True)) == {Status.SYNCED}
    assert all(synced.dataset.get("pricebook.materials", i.st_id)["price"] == 33.33 for i in items)

    synced.dataset.update("pricebook.materials", items[0].st_id, {"displayName": "Fresh from ServiceTitan"})
    _action(editor_client, "refresh_selected", items)
    assert Material.objects.get(pk=items[0].pk).name == "Fresh from ServiceTitan"


@pytest.mark.django_db
def test_override_admin_add_change_and_delete_go_through_the_services(editor_client):
    from pricebook.models import PricebookOverrideChange

    material = make_material(price="10.00")
    add = editor_client.post(
        reverse("admin:pricebook_pricebookoverride_add"),
        {
            "item_type": "material",
            "st_pricebook_id": material.st_id,
            "override_price": "11",
            "override_active": "unknown",
        },
    )
    assert add.status_code == 302, add.content
    override = PricebookOverride.objects.get()
    assert override.status == Status.PENDING and override.override_price == Decimal("11")

    url = reverse("admin:pricebook_pricebookoverride_change", args=[override.pk])
    page = editor_client.get(url)
    assert "Not overridden (ServiceTitan&#x27;s)" in page.content.decode()
    change = editor_client.post(
        url,
        {"override_price": "12", "override_active": "false", "history-TOTAL_FORMS": "0", "history-INITIAL_FORMS": "0"},
    )
    assert change.status_code == 302, change.content
    override.refresh_from_db()
    assert override.override_price == Decimal("12") and override.override_active is False

    missing = editor_client.post(
        reverse("admin:pricebook_pricebookoverride_add"),
        {"item_type": "service", "st_pricebook_id": "1", "override_active": "unknown"},
    )
    assert "no service with ServiceTitan id 1" in missing.content.decode()

    editor_client.post(reverse("admin:pricebook_pricebookoverride_delete", args=[override.pk]), {"post": "yes"})
    assert not PricebookOverride.objects.exists()
    assert [e.action for e in PricebookOverrideChange.objects.order_by("at", "id")] == ["edited", "edited", "discarded"]


@pytest.mark.django_db
def test_import_of_bad_values_answers_per_row_before_apply_never_a_500(editor_client):
    for code in ("BAD-1", "BAD-2", "BAD-3", "OK-1"):
        make_material(code=code, price="10.00")
    url = reverse("admin:pricebook_material_import")
    long_name = "n" * 10_000
    content = f"code,name,price\nBAD-1,,NaN\nBAD-2,,1e20\nBAD-3,{long_name},\nOK-1,Fine,12\n"
    upload = io.BytesIO(content.encode())
    upload.name = "prices.csv"

    preview = editor_client.post(url, {"file": upload, "item_type": "material"})

    html = preview.content.decode()
    assert preview.status_code == 200
    assert "price: &#x27;NaN&#x27; is not a number" in html
    assert "no more than 14 digits" in html  # 1e20, as the admin form says it
    assert "at most 512 characters" in html
    assert "1 item(s) to change, 3 row(s) with errors" in html
    done = editor_client.post(url, {"_apply": "1"})
    assert done.status_code == 302
    assert list(PricebookOverride.objects.values_list("override_name", flat=True)) == ["Fine"]


@pytest.mark.django_db
def test_import_of_excel_nan_and_huge_floats_is_refused_per_row():
    from openpyxl import Workbook

    from pricebook.services.spreadsheets import preview_import

    make_material(code="X-1", price="1.00")
    make_material(code="X-2", price="1.00")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "price"])
    sheet.append(["X-1", "NaN"])
    sheet.append(["X-2", 1e300])
    buffer = io.BytesIO()
    workbook.save(buffer)

    preview = preview_import("material", "p.xlsx", buffer.getvalue())

    errors = {row.code: row.errors for row in preview.rows}
    assert errors["X-1"] and "not a number" in errors["X-1"][0]
    assert errors["X-2"] and "too large" in errors["X-2"][0]
    assert preview.changed == []


@pytest.mark.django_db
@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_exports_write_formula_like_cells_as_text(editor_client, start):
    from openpyxl import load_workbook

    name = f'{start}HYPERLINK("http://evil.example","x")'
    material = make_material(code=f"{start}CODE", price="-5.00", name=name)

    response = _action(editor_client, "export_csv", [material])
    (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert row["name"] == "'" + name and row["code"] == f"'{start}CODE"
    assert row["price"] == "-5.00"  # numbers are not text: left as they are

    response = _action(editor_client, "export_xlsx", [material])
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["name"].data_type == "s" and cells["code"].data_type == "s"
    assert cells["price"].value == -5.0


@pytest.mark.django_db
def test_reimporting_an_export_gives_back_the_same_name():
    from pricebook.services.spreadsheets import preview_import

    make_material(code="R-1", price="1.00", name="=SUM(A1)")
    preview = preview_import("material", "r.csv", b"code,name\nR-1,'=SUM(A1)\n")
    assert preview.rows[0].errors == [] and preview.rows[0].changes == {}


def test_an_item_page_sent_back_with_a_date_that_is_no_date_is_saved_not_a_500(editor_client):
    # The hidden modifiedOn copy of a truncated or edited page: the shape of a datetime, month 13.
    material = make_material(price="10.00")
    url = reverse("admin:pricebook_material_change", args=[material.pk])
    response = editor_client.post(
        url, {"name": material.name, "price": "12.00", "base_modified_on": "2026-13-45T10:00:00+00:00"}
    )
    assert response.status_code == 302
    assert PricebookOverride.objects.get(st_pricebook_id=material.st_id).override_price == Decimal("12.00")


def test_an_import_whose_exported_at_is_no_date_previews_the_rows_not_a_500(editor_client):
    make_material(code="IMP-D", price="10.00")
    upload = io.BytesIO(b"code,price,exported_at\nIMP-D,11.50,2026-13-45T10:00:00\n")
    upload.name = "prices.csv"
    preview = editor_client.post(reverse("admin:pricebook_material_import"), {"file": upload, "item_type": "material"})
    assert preview.status_code == 200
    assert "1 item(s) to change" in preview.content.decode()
