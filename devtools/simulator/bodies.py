"""Write bodies: validation against the specs' request schemas and conversion into record fields.

Validation is what ServiceTitan's model binding does: a required property must be present, a present value must have
the schema's type (null is accepted: records echo nulls back in "complete" items), enums must match. Business rules
(no negative prices, categories that exist) come on top, in `rules_errors`.
"""

from __future__ import annotations

import posixpath

from devtools.simulator.shapes import default_value, object_skeleton
from devtools.simulator.spec import Schemas

_JSON_TYPES = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
MONEY_FIELDS = ("price", "memberPrice", "addOnPrice", "addOnMemberPrice", "cost")
NON_NEGATIVE_FIELDS = (*MONEY_FIELDS, "hours", "bonus", "commissionBonus")
# Request names that differ from the answer's.
RENAMES = {
    "variationMaterials": "variationsOrConfigurableMaterials",
    "variationEquipment": "variationsOrConfigurableEquipment",
}


def pascal(path: str) -> str:
    """`assets[0].url` → `Assets[0].Url`, the way ServiceTitan's (.NET) validation names fields."""
    return ".".join(part[:1].upper() + part[1:] for part in path.split("."))


def validate(schemas: Schemas, schema: dict, value, path: str = "") -> list[tuple[str, str]]:
    """[(path, message)] for every way `value` does not fit `schema`."""
    errors: list[tuple[str, str]] = []
    _validate(schemas, schema, value, path, errors, 0)
    return errors


def _label(path: str) -> str:
    return path.rsplit(".", 1)[-1] or "body"


def _validate(schemas: Schemas, schema: dict, value, path: str, errors: list, depth: int) -> None:
    if value is None or depth > 8:
        return
    resolved = schemas.resolve(schema)
    if "enum" in resolved:
        if value not in resolved["enum"]:
            errors.append((path, f"The value '{value}' is not valid for {_label(path)}."))
        return
    kind = resolved.get("type") or ("object" if "properties" in resolved else None)
    if kind is None:
        return
    expected = _JSON_TYPES.get(kind, ())
    if not isinstance(value, expected) or (kind in ("integer", "number") and isinstance(value, bool)):
        errors.append((path, f"The value is not a valid {kind} for {_label(path)}."))
        return
    if kind == "object":
        properties = resolved.get("properties", {})
        for name in resolved.get("required", ()):
            if name not in value:
                sub = f"{path}.{name}" if path else name
                errors.append((sub, f"The {name} field is required."))
        for name, item in value.items():
            if name in properties:
                _validate(schemas, properties[name], item, f"{path}.{name}" if path else name, errors, depth + 1)
    elif kind == "array":
        for index, item in enumerate(value):
            _validate(schemas, resolved["items"], item, f"{path}[{index}]", errors, depth + 1)


def rules_errors(body: dict, *, category_exists=None, path: str = "") -> list[tuple[str, str]]:
    """Pricebook business rules on a (partial or complete) item."""
    errors = []
    for name in NON_NEGATIVE_FIELDS:
        value = body.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            label = name[:1].upper() + name[1:]
            errors.append((f"{path}{name}", f"{label} must be greater than or equal to 0"))
    if "code" in body and isinstance(body["code"], str) and not body["code"].strip():
        errors.append((f"{path}code", "Code is required"))
    if category_exists is not None and isinstance(body.get("categories"), list):
        for category_id in body["categories"]:
            if isinstance(category_id, int) and not category_exists(category_id):
                errors.append((f"{path}categories", f"Category {category_id} does not exist"))
    return errors


def coerce(schemas: Schemas, schema: dict, value):
    """A request value in the answer's shape: objects get the answer's missing fields, unknown ones dropped."""
    if value is None:
        return None
    resolved = schemas.resolve(schema)
    if isinstance(value, dict) and resolved.get("properties"):
        properties = resolved["properties"]
        out = object_skeleton(schemas, resolved)
        for name, item in value.items():
            if name in properties:
                out[name] = coerce(schemas, properties[name], item)
        return out
    if isinstance(value, list) and resolved.get("type") == "array":
        return [coerce(schemas, resolved["items"], item) for item in value]
    return value


def to_record_fields(shape, body: dict, *, category=None) -> dict:
    """Turn a create/update body into record fields of a resource (`shape`)."""
    fields = {}
    schemas = shape.schemas
    for name, value in body.items():
        target = RENAMES.get(name, name)
        if target == "externalData" and isinstance(value, dict):
            value = value.get("externalData") or []
        if target == "id" or target not in shape.properties:
            continue
        prop = shape.properties[target]
        if target == "categories" and category is not None and _items_are_objects(schemas, prop):
            # Services answer their categories as {id, name, active}; requests send ids.
            value = [
                {**object_skeleton(schemas, schemas.resolve(prop)["items"]), **category(category_id)}
                for category_id in value or []
                if category(category_id)
            ]
        elif target == "assets" and isinstance(value, list):
            value = [_asset(schemas, prop, asset) for asset in value if isinstance(asset, dict)]
        else:
            value = coerce(schemas, prop, value)
        if value is None and default_value(schemas, prop) is not None and not prop.get("nullable"):
            continue  # a null for a field the answer never nulls: keep the current value
        fields[target] = value
    if "assets" in fields and "defaultAssetUrl" in shape.properties:
        default = next((a for a in fields["assets"] if a.get("isDefault")), None) or next(iter(fields["assets"]), None)
        fields["defaultAssetUrl"] = default["url"] if default else None
    return fields


def _items_are_objects(schemas: Schemas, prop: dict) -> bool:
    resolved = schemas.resolve(prop)
    return resolved.get("type") == "array" and bool(schemas.resolve(resolved["items"]).get("properties"))


def _asset(schemas: Schemas, prop: dict, asset: dict) -> dict:
    out = coerce(schemas, schemas.resolve(prop)["items"], asset)
    if not out.get("fileName") and isinstance(out.get("url"), str):
        out["fileName"] = posixpath.basename(out["url"])
    if out.get("isDefault") is None:
        out["isDefault"] = False
    return out
