"""The slice of ServiceTitan's OpenAPI specs the simulator serves, and schema helpers.

The simulator shapes every record from the response schemas (so each field the spec requires is present with the
right type) and validates write bodies against the request schemas. It reads a vendored snapshot, `schemas.json`
(the schemas reachable from the registry's operations, structural keywords only), so it need not parse 4 MB of specs;
`build_snapshot()` regenerates it from the specs and a test checks it is current.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from servicetitan import openapi
from servicetitan.registry import RESOURCES, Resource, spec_file_of

SNAPSHOT_PATH = Path(__file__).with_name("schemas.json")
# Keywords that describe structure; descriptions, examples and x-* extensions are left out of the snapshot.
_KEPT = {
    "type",
    "properties",
    "required",
    "items",
    "nullable",
    "enum",
    "oneOf",
    "allOf",
    "anyOf",
    "$ref",
    "format",
    "additionalProperties",
}
_REF_PREFIX = "#/components/schemas/"


@cache
def load_spec(api_module: str, spec_dir: str | None = None) -> dict:
    directory = Path(spec_dir) if spec_dir else openapi.spec_dir()
    return json.loads((directory / spec_file_of(api_module)).read_text())


def operation_schemas(resource: Resource, spec: dict) -> dict[str, str]:
    """Names of the component schemas of a resource's operations: `list`, `get`, `export` (the 200 answers) and
    `<write>.request` / `<write>.response` for each write (and `<write>.status`, its success status, unless 200)."""
    found: dict[str, str] = {}

    def ref_name(schema: dict | None) -> str | None:
        if schema and "$ref" in schema:
            return schema["$ref"].removeprefix(_REF_PREFIX)
        return None

    reads = {"list": resource.list_operation, "get": resource.get_operation, "export": resource.export_operation}
    for kind, op in reads.items():
        if op:
            answer = spec["paths"][op.path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            found[kind] = ref_name(answer)
    for name, op in resource.writes.items():
        operation = spec["paths"][op.path][op.method.lower()]
        body = operation.get("requestBody", {}).get("content", {})
        for content in body.values():
            if ref_name(content.get("schema")):
                found[f"{name}.request"] = ref_name(content["schema"])
        for status in ("200", "201"):
            answer = operation["responses"].get(status, {}).get("content", {}).get("application/json")
            if answer and ref_name(answer.get("schema")):
                found[f"{name}.response"] = ref_name(answer["schema"])
        # The success status when it is not 200 (the pricebook's creates answer 201).
        success = next((status for status in ("200", "201", "202", "204") if status in operation["responses"]), "200")
        if success != "200":
            found[f"{name}.status"] = success
    return found


def _strip_schema(schema: dict) -> dict:
    out = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: _strip_schema(prop) for name, prop in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = _strip_schema(value)
        elif key in ("oneOf", "allOf", "anyOf"):
            out[key] = [_strip_schema(option) for option in value]
        elif key in _KEPT:
            out[key] = value
    return out


def _refs(schema, found: set[str]):
    if isinstance(schema, dict):
        if "$ref" in schema:
            found.add(schema["$ref"].removeprefix(_REF_PREFIX))
        for value in schema.values():
            _refs(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _refs(value, found)


def build_snapshot(spec_dir: str | None = None) -> dict:
    """{"operations": {resource key: {kind: schema name}}, "schemas": {api_module: {name: stripped schema}}}."""
    operations: dict[str, dict[str, str]] = {}
    schemas: dict[str, dict[str, dict]] = {}
    for key, resource in RESOURCES.items():
        spec = load_spec(resource.api_module, spec_dir)
        names = operation_schemas(resource, spec)
        operations[key] = names
        components = spec["components"]["schemas"]
        module_schemas = schemas.setdefault(resource.api_module, {})
        pending = {*(name for kind, name in names.items() if not kind.endswith(".status")), "ApiErrorResponse"}
        while pending:
            name = pending.pop()
            if name in module_schemas:
                continue
            module_schemas[name] = _strip_schema(components[name])
            found: set[str] = set()
            _refs(module_schemas[name], found)
            pending |= found - module_schemas.keys()
    return {"operations": operations, "schemas": {m: dict(sorted(s.items())) for m, s in sorted(schemas.items())}}


def write_snapshot(spec_dir: str | None = None) -> Path:
    # Property order is kept: records list their fields in the spec's order, as ServiceTitan's answers do.
    SNAPSHOT_PATH.write_text(json.dumps(build_snapshot(spec_dir), indent=1) + "\n")
    return SNAPSHOT_PATH


@cache
def snapshot() -> dict:
    return json.loads(SNAPSHOT_PATH.read_text())


class Schemas:
    """The schemas of one API module with `$ref` resolution."""

    def __init__(self, api_module: str, components: dict[str, dict]):
        self.api_module = api_module
        self.components = components

    def resolve(self, schema: dict) -> dict:
        """Follow `$ref` and single-option `oneOf`/`allOf` wrappers down to the schema that has the shape."""
        while True:
            if "$ref" in schema:
                schema = self.components[schema["$ref"].removeprefix(_REF_PREFIX)]
            elif len(schema.get("oneOf") or schema.get("allOf") or ()) == 1:
                schema = (schema.get("oneOf") or schema.get("allOf"))[0]
            else:
                return schema

    def named(self, name: str) -> dict:
        return self.components[name]

    def item_schema(self, name: str) -> dict:
        """The record schema inside a paginated/export envelope (`data.items`), a single-record envelope
        (`{"data": record}`, e.g. the markup table's GET/PUT answers), or the schema itself."""
        schema = self.resolve(self.named(name))
        data = schema.get("properties", {}).get("data")
        if data and data.get("type") == "array" and {"hasMore"} <= schema["properties"].keys():
            return self.resolve(data["items"])
        if data and set(schema["properties"]) == {"data"} and self.resolve(data).get("properties"):
            return self.resolve(data)
        return schema

    def is_record_envelope(self, name: str) -> bool:
        """True for `{"data": record}` answers."""
        schema = self.resolve(self.named(name))
        data = schema.get("properties", {}).get("data")
        return bool(data) and set(schema["properties"]) == {"data"} and bool(self.resolve(data).get("properties"))


@cache
def module_schemas(api_module: str) -> Schemas:
    return Schemas(api_module, snapshot()["schemas"][api_module])


def resource_schema_names(key: str) -> dict[str, str]:
    return snapshot()["operations"][key]


def to_json_schema(schema, components_pointer: str = "#/$defs/"):
    """OpenAPI 3.0 → JSON Schema: `nullable: true` admits null, `format` is dropped, refs point at `$defs`."""
    if isinstance(schema, list):
        return [to_json_schema(value, components_pointer) for value in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in ("format", "nullable", "example", "description") or key.startswith("x-"):
            continue
        if key == "$ref":
            out[key] = components_pointer + value.removeprefix(_REF_PREFIX)
        elif key == "properties":
            out[key] = {name: to_json_schema(prop, components_pointer) for name, prop in value.items()}
        else:
            out[key] = to_json_schema(value, components_pointer)
    if schema.get("nullable"):
        if (
            "type" in out
            and "enum" not in out
            and set(out) <= {"type", "properties", "required", "items", "additionalProperties"}
        ):
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def json_schema_document(api_module: str, name: str, components: dict[str, dict] | None = None) -> dict:
    """A self-contained JSON Schema (draft 2020-12) for one named component of a module."""
    components = components if components is not None else module_schemas(api_module).components
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": f"#/$defs/{name}",
        "$defs": {key: to_json_schema(value) for key, value in components.items()},
    }
