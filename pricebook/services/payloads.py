"""ServiceTitan request bodies built from an override and the item's latest raw record.

- `patch_body`: only the fields that differ from ServiceTitan's record (PATCH …/{materials|services|equipment|
  categories}/{id}).
- `bulk_item`: a complete item for PATCH /pricebook: every field `Pricebook.V2.{Material,Service,Equipment}
  BulkUpdateRequest` marks required, taken from the raw record (response shapes converted to request shapes),
  with the override applied on top.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pricebook.models import OVERRIDE_FIELDS, PricebookOverride
from pricebook.services.price_lists import exception_requests, same_exceptions

# Required fields of the bulk update schemas (pricebook-v2.json), by kind of value.
_STRINGS = {
    "material": (
        "code", "displayName", "description", "unitOfMeasure", "account", "costOfSaleAccount", "assetAccount",
        "intacctGlGroupAccount", "budgetCostCode", "budgetCostType",
    ),
    "service": (
        "code", "displayName", "description", "account", "intacctGlGroupAccount", "crossSaleGroup", "budgetCostCode",
        "budgetCostType",
    ),
    "equipment": (
        "code", "displayName", "description", "manufacturer", "model", "account", "costOfSaleAccount", "assetAccount",
        "intacctGlGroupAccount", "crossSaleGroup", "unitOfMeasure", "budgetCostCode", "budgetCostType",
    ),
}  # fmt: skip
_NUMBERS = {
    "material": ("cost", "price", "memberPrice", "addOnPrice", "addOnMemberPrice", "hours", "bonus", "commissionBonus"),
    "service": ("price", "memberPrice", "addOnPrice", "addOnMemberPrice", "hours", "bonus", "commissionBonus"),
    "equipment": (
        "price", "memberPrice", "addOnPrice", "addOnMemberPrice", "bonus", "commissionBonus", "hours", "cost",
    ),
}  # fmt: skip
_BOOLEANS = {
    "material": (
        "active", "paysCommission", "deductAsJobCost", "isInventory", "taxable", "isConfigurableMaterial",
        "chargeableByDefault",
    ),
    "service": ("taxable", "isLabor", "active", "paysCommission"),
    "equipment": ("active", "paysCommission", "taxable", "isInventory", "isConfigurableEquipment"),
}  # fmt: skip
_ID_LISTS = {
    # request field -> response field
    "material": {"variationMaterials": "variationsOrConfigurableMaterials"},
    "service": {"recommendations": "recommendations", "upgrades": "upgrades"},
    "equipment": {"upgrades": "upgrades", "variationEquipment": "variationsOrConfigurableEquipment"},
}
_LINKS = {"service": ("serviceMaterials", "serviceEquipment"), "equipment": ("equipmentMaterials",)}
_WARRANTIES = {"service": ("warranty",), "equipment": ("manufacturerWarranty", "serviceProviderWarranty")}
_VENDORS = ("material", "equipment")

# (item type, override field) -> ServiceTitan key, from OVERRIDE_FIELDS (the image goes as assets / the category's
# image, see `image_change`).
_ST_KEYS = {(item_type, f.name): f.st_key for f in OVERRIDE_FIELDS for item_type in f.item_types}


def st_key(item_type: str, field_name: str) -> str:
    return _ST_KEYS[(item_type, field_name)]


def to_json_number(value) -> int | float:
    """Decimal -> a JSON number without spurious digits (12.5000 -> 12.5)."""
    value = Decimal(value).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _json_value(value):
    return to_json_number(value) if isinstance(value, Decimal) else value


def _same(current, wanted) -> bool:
    if isinstance(wanted, Decimal):
        try:
            return current is not None and Decimal(str(current)) == wanted
        except ArithmeticError:
            return False
    if isinstance(wanted, str):
        return (current or "") == wanted
    return current == wanted


def changed_values(override: PricebookOverride, payload: dict) -> dict[str, Any]:
    """The overridden fields whose value differs from ServiceTitan's record: ST key -> JSON value."""
    changed = {}
    for name, wanted in override.overridden_values().items():
        key = st_key(override.item_type, name)
        if name == "exceptions":
            # A rate sheet's exceptions go whole (the PATCH replaces the list), in the request's shape.
            if not same_exceptions(payload.get(key), wanted):
                changed[key] = exception_requests(wanted)
        elif not _same(payload.get(key), wanted):
            changed[key] = _json_value(wanted)
    return changed


def asset_request(asset: dict) -> dict:
    return {
        "type": asset.get("type") or "Image",
        "alias": asset.get("alias"),
        "url": asset.get("url") or "",
        "isDefault": bool(asset.get("isDefault")),
    }


def assets_with_default_image(payload: dict, image_path: str, alias: str) -> list[dict] | None:
    """The item's assets with `image_path` as the default image, the others kept and no longer default.

    None when the image already is the default (nothing to change)."""
    assets = [asset_request(a) for a in payload.get("assets") or [] if isinstance(a, dict)]
    for asset in assets:
        if asset["url"] == image_path and asset["isDefault"]:
            return None
    kept = [{**asset, "isDefault": False} for asset in assets if asset["url"] != image_path]
    return [*kept, {"type": "Image", "url": image_path, "alias": alias, "isDefault": True}]


def image_change(override: PricebookOverride, payload: dict) -> dict[str, Any]:
    """The body part attaching the override's uploaded image (`uploaded_image_path` must be set)."""
    path = override.uploaded_image_path
    if not path:
        return {}
    if override.item_type == "category":
        return {} if payload.get("image") == path else {"image": path}
    assets = assets_with_default_image(payload, path, override.override_image_name or path.rsplit("/", 1)[-1])
    return {} if assets is None else {"assets": assets}


def category_change(override: PricebookOverride, payload: dict) -> dict[str, Any]:
    """The item's categories as the override wants them (the update's `categories`: ids, the whole list); {} when not
    overridden or already so (in any order)."""
    wanted = override.override_category_ids
    if wanted is None or override.item_type == "category":
        return {}
    wanted = [int(v) for v in wanted]
    return {} if sorted(_ids(payload.get("categories"))) == sorted(wanted) else {"categories": wanted}


def vendor_cost_change(override: PricebookOverride, payload: dict) -> dict[str, Any]:
    """A cost from a vendor's price file also becomes that vendor's own cost on the item (ServiceTitan keeps one per
    vendor): `primaryVendor` or `otherVendors`, whole (the request schemas want complete vendors). {} when the item
    has no such vendor or its cost is already that."""
    vendor = (override.cost_vendor or "").strip().lower()
    if override.override_cost is None or not vendor or override.item_type not in _VENDORS:
        return {}

    def named(value) -> bool:
        return isinstance(value, dict) and str(value.get("vendorName") or "").strip().lower() == vendor

    def priced(value: dict) -> dict:
        return {**_vendor(value), "cost": to_json_number(override.override_cost)}

    change: dict[str, Any] = {}
    primary = payload.get("primaryVendor")
    if named(primary) and not _same(primary.get("cost"), override.override_cost):
        change["primaryVendor"] = priced(primary)
    others = [v for v in payload.get("otherVendors") or [] if isinstance(v, dict)]
    if any(named(v) and not _same(v.get("cost"), override.override_cost) for v in others):
        change["otherVendors"] = [priced(v) if named(v) else _vendor(v) for v in others]
    return change


def patch_body(override: PricebookOverride, payload: dict) -> dict[str, Any]:
    """Only what changes: the overridden fields differing from `payload`, the cost of the vendor whose price file set
    the cost, the image when there is one, and the categories when they are overridden."""
    return {
        **changed_values(override, payload),
        **vendor_cost_change(override, payload),
        **image_change(override, payload),
        **category_change(override, payload),
    }


def _ids(values) -> list[int]:
    return [v["id"] if isinstance(v, dict) else v for v in values or [] if v is not None]


def _warranty(value) -> dict:
    value = value or {}
    return {"duration": value.get("duration") or 0, "description": value.get("description")}


def _link(value: dict) -> dict:
    return {"skuId": value.get("skuId"), "quantity": value.get("quantity") or 0}


def _sub_account(value: dict) -> dict:
    return {"cost": value.get("cost") or 0, "accountName": value.get("accountName") or ""}


def _vendor(value: dict | None) -> dict | None:
    if not value:
        return None
    return {
        "vendorId": value.get("vendorId"),
        "memo": value.get("memo"),
        "vendorPart": value.get("vendorPart"),
        "cost": value.get("cost") or 0,
        "active": bool(value.get("active")),
        "primarySubAccount": _sub_account(value["primarySubAccount"]) if value.get("primarySubAccount") else None,
        "otherSubAccounts": [_sub_account(v) for v in value.get("otherSubAccounts") or []],
    }


def complete_item(item_type: str, payload: dict) -> dict[str, Any]:
    """ServiceTitan's record (a GET/list/export answer) as a complete bulk-update item, unchanged."""
    item: dict[str, Any] = {"id": payload["id"]}
    for key in _STRINGS[item_type]:
        item[key] = payload.get(key) or ""
    for key in _NUMBERS[item_type]:
        item[key] = payload.get(key) or 0
    for key in _BOOLEANS[item_type]:
        item[key] = bool(payload.get(key))
    for key, source in _ID_LISTS[item_type].items():
        item[key] = _ids(payload.get(source))
    for key in _LINKS.get(item_type, ()):
        item[key] = [_link(v) for v in payload.get(key) or []]
    for key in _WARRANTIES.get(item_type, ()):
        item[key] = _warranty(payload.get(key))
    if item_type in _VENDORS:
        item["primaryVendor"] = _vendor(payload.get("primaryVendor"))
        item["otherVendors"] = [_vendor(v) for v in payload.get("otherVendors") or []]
    if item_type == "equipment":
        item["recommendations"] = [
            {"skuId": r.get("skuId"), "type": r.get("type") or "Service"}
            for r in payload.get("recommendations") or []
            if isinstance(r, dict)
        ]
        dimensions = payload.get("dimensions") or {}
        item["dimensions"] = {k: dimensions.get(k) for k in ("height", "width", "depth")}
    item["categories"] = _ids(payload.get("categories"))
    item["assets"] = [asset_request(a) for a in payload.get("assets") or [] if isinstance(a, dict)]
    return item


# Objects the bulk update schemas require and do not allow null, which ServiceTitan's record may lack (a material or
# equipment without a primary vendor): such an item cannot be a complete bulk item and goes by PATCH …/{id} instead.
_BULK_REQUIRED_OBJECTS = {"material": ("primaryVendor",), "equipment": ("primaryVendor",)}


def fits_bulk(item_type: str, item: dict[str, Any]) -> bool:
    """Whether a `complete_item`/`bulk_item` is one the bulk update schema takes (every required object present)."""
    return all(item.get(key) is not None for key in _BULK_REQUIRED_OBJECTS.get(item_type, ()))


# The parts of a PATCH body that are not overridden fields: the vendors' costs, the image and the categories (see
# `patch_body`).
_BODY_EXTRAS = ("primaryVendor", "otherVendors", "assets", "image", "categories")


def bulk_item(override: PricebookOverride, payload: dict, *, body: dict | None = None) -> dict[str, Any]:
    """A complete bulk-update item: ServiceTitan's record with the override (and its image) applied. `body`: the
    item's `patch_body` when the caller has it already (its vendor and image parts are reused, not recomputed)."""
    item = complete_item(override.item_type, payload)
    for name, value in override.overridden_values().items():
        item[st_key(override.item_type, name)] = _json_value(value)
    if body is None:
        item.update(vendor_cost_change(override, payload))
        item.update(image_change(override, payload))
        item.update(category_change(override, payload))
    else:
        item.update((key, body[key]) for key in _BODY_EXTRAS if key in body)
    return item
