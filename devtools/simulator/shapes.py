"""Record shapes from the response schemas: every field the spec declares, with a valid default.

A `Shape` is the union of a resource's list / get / export record schemas. Generators start each record from its
skeleton and set the fields that matter, so records carry every property ServiceTitan declares (required ones with a
value of the right type, nullable ones as null) and validate against the specs by construction.
"""

from __future__ import annotations

import copy
from functools import cache

from devtools.simulator.spec import Schemas, module_schemas, resource_schema_names
from servicetitan.registry import get_resource

READ_KINDS = ("list", "get", "export")
DEFAULT_DATETIME = "2020-01-01T00:00:00Z"
DEFAULT_GUID = "00000000-0000-0000-0000-000000000000"


def default_value(schemas: Schemas, schema: dict, depth: int = 0):
    """A valid value for a schema: null when nullable, else the first enum value or the type's zero."""
    if schema.get("nullable"):
        return None
    resolved = schemas.resolve(schema)
    if resolved.get("nullable") and resolved is not schema:
        return None
    if "enum" in resolved:
        return resolved["enum"][0]
    kind = resolved.get("type")
    if kind == "object" or "properties" in resolved:
        if depth > 6:
            return {}
        return {name: default_value(schemas, prop, depth + 1) for name, prop in resolved.get("properties", {}).items()}
    if kind == "array":
        return []
    if kind == "string":
        fmt = resolved.get("format")
        if fmt == "date-time":
            return DEFAULT_DATETIME
        if fmt in ("guid", "uuid"):
            return DEFAULT_GUID
        return ""
    if kind == "integer":
        return 0
    if kind == "number":
        return 0
    if kind == "boolean":
        return False
    return None


def object_skeleton(schemas: Schemas, schema: dict) -> dict:
    resolved = schemas.resolve(schema)
    return {name: default_value(schemas, prop, 1) for name, prop in resolved.get("properties", {}).items()}


class Shape:
    def __init__(self, key: str):
        resource = get_resource(key)
        self.key = key
        self.schemas = module_schemas(resource.api_module)
        names = resource_schema_names(key)
        self.item_schemas = {kind: self.schemas.item_schema(names[kind]) for kind in READ_KINDS if kind in names}
        properties: dict[str, dict] = {}
        for schema in self.item_schemas.values():
            for name, prop in schema.get("properties", {}).items():
                properties.setdefault(name, prop)
        self.properties = properties
        self.fields = tuple(properties)
        # Fields a given endpoint does not declare (its schema forbids extra properties), dropped when serving it.
        self.hidden = {
            kind: frozenset(properties) - frozenset(schema.get("properties", {}))
            for kind, schema in self.item_schemas.items()
        }
        self.skeleton = {name: default_value(self.schemas, prop) for name, prop in properties.items()}
        self._parts: dict[str, tuple[dict, tuple]] = {}
        self._mutable = tuple(name for name, value in self.skeleton.items() if isinstance(value, list | dict))

    def new(self, fields: dict) -> dict:
        """A record: the skeleton with `fields` set; nested defaults are copied so records never share them."""
        record = {**self.skeleton, **fields}
        skeleton = self.skeleton
        for name in self._mutable:
            if record[name] is skeleton[name]:
                record[name] = copy.deepcopy(skeleton[name])
        return record

    def part(self, path: str, **values) -> dict:
        """A fresh skeleton of the object a property holds (even when nullable), with `values`; `path` may be
        dotted (`shipTo.address`) and `[]` steps into array items (`items[]`)."""
        cached = self._parts.get(path)
        if cached is None:
            skeleton = object_skeleton(self.schemas, self.schema_at(path))
            mutable = tuple(name for name, value in skeleton.items() if isinstance(value, list | dict))
            cached = self._parts[path] = (skeleton, mutable)
        skeleton, mutable = cached
        unknown = values.keys() - skeleton.keys()
        if unknown:
            raise KeyError(f"{self.key}: {path} has no field(s) {sorted(unknown)}")
        part = {**skeleton, **values}
        for name in mutable:
            if part[name] is skeleton[name]:
                part[name] = copy.deepcopy(skeleton[name])
        return part

    def item(self, field: str, **values) -> dict:
        """A fresh skeleton of one item of an array property, with `values`."""
        return self.part(field + "[]", **values)

    def schema_at(self, path: str) -> dict:
        parts = path.split(".")
        schema = self.properties[parts[0].removesuffix("[]")]
        for step, part in enumerate(parts):
            if step:
                schema = self.schemas.resolve(schema)["properties"][part.removesuffix("[]")]
            if part.endswith("[]"):
                schema = self.schemas.resolve(schema)["items"]
        return schema

    def view(self, record: dict, kind: str) -> dict:
        hidden = self.hidden.get(kind)
        if not hidden:
            return record
        return {name: value for name, value in record.items() if name not in hidden}


@cache
def shape_of(key: str) -> Shape:
    return Shape(key)
