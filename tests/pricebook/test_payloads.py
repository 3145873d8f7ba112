"""Request bodies built from an override and ServiceTitan's record (PATCH of one item, complete bulk items)."""

from __future__ import annotations

from decimal import Decimal

from pricebook.models import OVERRIDE_FIELDS, PricebookOverride
from pricebook.services.payloads import bulk_item, patch_body, st_key
from pricebook.services.push import field_errors_from


def _override(item_type="material", **values) -> PricebookOverride:
    return PricebookOverride(tenant_id=1, item_type=item_type, st_pricebook_id=5, **values)


RECORD = {
    "id": 5, "code": "M-5", "displayName": "Pipe", "description": "", "price": 10, "memberPrice": 9, "cost": 4,
    "active": True, "assets": [], "categories": [{"id": 3}], "primaryVendor": {"vendorName": "Acme", "cost": 4},
}  # fmt: skip


def test_patch_body_has_only_what_differs():
    override = _override(override_price=Decimal("12.50"), override_name="Pipe", override_cost=Decimal("4"))
    assert patch_body(override, RECORD) == {"price": 12.5}


def test_a_vendor_cost_also_changes_that_vendors_cost():
    override = _override(override_cost=Decimal("5"), cost_vendor="acme")
    body = patch_body(override, RECORD)
    assert body["cost"] == 5 and body["primaryVendor"]["cost"] == 5


def test_bulk_item_is_complete_with_the_override_on_top():
    item = bulk_item(_override(override_member_price=Decimal("8")), RECORD)
    assert item["id"] == 5 and item["memberPrice"] == 8 and item["price"] == 10
    assert item["categories"] == [3] and item["unitOfMeasure"] == "" and item["isInventory"] is False


def test_bulk_item_from_a_patch_body_is_the_same_item():
    # The bulk push hands over the patch body it computed: the item must not differ from one built from scratch.
    override = _override(override_cost=Decimal("5"), cost_vendor="acme", override_price=Decimal("12.50"))
    override.uploaded_image_path = "Images/new.png"
    body = patch_body(override, RECORD)
    assert "primaryVendor" in body and "assets" in body
    assert bulk_item(override, RECORD, body=body) == bulk_item(override, RECORD)


def test_servicetitan_keys_come_from_the_override_fields_both_ways():
    assert st_key("category", "name") == "name" and st_key("material", "name") == "displayName"
    assert st_key("service", "add_on_price") == "addOnPrice"

    class Refusal:
        def __init__(self, item_type):
            fields = [f for f in OVERRIDE_FIELDS if item_type in f.item_types]
            self.errors = {f"materials[0].{f.st_key}": ["bad"] for f in fields} | {"assets": ["too big"]}
            self.staff_message = ""

    # Per item type: a discount's `displayName` is its `display_name`, an item's its `name`.
    for item_type in {t for f in OVERRIDE_FIELDS for t in f.item_types}:
        mapped = field_errors_from(Refusal(item_type), item_type=item_type)
        assert set(mapped) == {f.name for f in OVERRIDE_FIELDS if item_type in f.item_types} | {"image"}
