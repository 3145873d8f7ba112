"""An independent ServiceTitan stand-in built from the OpenAPI specs alone (not from the simulator).

It reads `servicetitan/openapi/*.json` itself (the full specs, `$ref`/`oneOf`/`allOf` resolved here), generates
records from an operation's response schema and checks requests against the operation's parameters and request
schema. Records come in variants that push on what the specs allow and the simulator never does:

- `minimal`: required properties only; a required property that is nullable is null; optional ones are absent;
- `nulls`:   every property present, every nullable one null;
- `full`:    every property with a value, date-times in every ISO 8601 form ServiceTitan uses (with and without
             fractional seconds, `Z` or an offset), decimals as JSON integers and as fractions;

and all of them carry fields no spec names (ServiceTitan adds fields without notice), and ids above 2**31 and near
2**53 (int64 ids). Used by `test_spec_conformance.py`; deliberately nothing from `devtools`.
"""

from __future__ import annotations

import itertools
import json
import re
from functools import cache
from typing import Any

from servicetitan import openapi
from servicetitan.registry import Operation, Resource, spec_file_of

REF = "#/components/schemas/"
VARIANTS = ("minimal", "nulls", "full")
UNKNOWN_FIELD = "zzFieldNoSpecNames"
# ServiceTitan's date-time forms: 7 fractional digits and Z (its usual), none, milliseconds, offsets.
DATETIMES = (
    "2024-03-15T12:34:56.1234567Z",
    "2024-03-15T12:34:56Z",
    "2024-03-15T12:34:56.123+02:00",
    "2024-03-15T07:34:56-05:00",
    "2024-03-15T12:34:56.5+00:00",
    "2024-03-15T12:34:56",  # no offset: UTC, as ServiceTitan means it
)
ID_HIGH = 2**53 - 1  # the largest integer a JSON number carries exactly everywhere
ID_ABOVE_INT32 = 2**31 + 5


@cache
def spec(api_module: str) -> dict:
    return json.loads((openapi.spec_dir() / spec_file_of(api_module)).read_text())


class SpecSchemas:
    """One module's component schemas, resolved: `$ref`, single `oneOf`, `allOf` merged; `nullable` kept."""

    def __init__(self, api_module: str):
        self.api_module = api_module
        self.components = spec(api_module)["components"]["schemas"]

    def resolve(self, schema: dict) -> dict:
        nullable = bool(schema.get("nullable"))
        while True:
            if "$ref" in schema:
                schema = self.components[schema["$ref"].removeprefix(REF)]
            elif schema.get("allOf"):
                merged: dict = {"type": "object", "properties": {}, "required": []}
                for part in schema["allOf"]:
                    part = self.resolve(part)
                    merged["properties"].update(part.get("properties", {}))
                    merged["required"] += part.get("required", [])
                schema = merged
            elif schema.get("oneOf"):
                schema = schema["oneOf"][0]
            else:
                break
            nullable = nullable or bool(schema.get("nullable"))
        return {**schema, "nullable": True} if nullable and not schema.get("nullable") else schema


@cache
def schemas_of(api_module: str) -> SpecSchemas:
    return SpecSchemas(api_module)


def spec_operation(resource: Resource, operation: Operation) -> dict:
    return spec(resource.api_module)["paths"][operation.path][operation.method.lower()]


def answer_schema(resource: Resource, operation: Operation) -> dict:
    op = spec_operation(resource, operation)
    for status in ("200", "201"):
        media = op["responses"].get(status, {}).get("content", {})
        for content in media.values():
            if "schema" in content:
                return schemas_of(resource.api_module).resolve(content["schema"])
    raise LookupError(f"{operation.method} {operation.path} has no JSON answer in the spec")


def record_schema(resource: Resource, operation: Operation) -> dict:
    """The record schema of a list page or an export batch (`data.items`)."""
    schemas = schemas_of(resource.api_module)
    envelope = answer_schema(resource, operation)
    return schemas.resolve(envelope["properties"]["data"]["items"])


def request_schema(resource: Resource, operation: Operation) -> tuple[str, dict] | None:
    """(media type, resolved schema) of an operation's request body, or None when it takes none."""
    body = spec_operation(resource, operation).get("requestBody")
    if not body:
        return None
    media, content = next(iter(body["content"].items()))
    return media, schemas_of(resource.api_module).resolve(content.get("schema", {}))


# --- records -------------------------------------------------------------------------------------------------------------
class RecordGenerator:
    """Records of one schema in one variant. Ids are unique per generator, alternating near 2**53 and above 2**31."""

    def __init__(self, schemas: SpecSchemas, variant: str, *, seed: int = 0):
        assert variant in VARIANTS, variant
        self.schemas = schemas
        self.variant = variant
        self._ids = itertools.count(seed * 1000)
        self._turn = itertools.count(seed)
        self._numbers = itertools.count(seed)

    def next_id(self) -> int:
        n = next(self._ids)
        return ID_HIGH - n if n % 2 == 0 else ID_ABOVE_INT32 + n

    def record(self, schema: dict) -> dict:
        schema = self.schemas.resolve(schema)
        id_schema = schema.get("properties", {}).get("id")
        record_id = self._id_value(id_schema) if id_schema else None  # drawn first: the record's own id leads
        record = self.value(schema, depth=0)
        if id_schema:
            record = {"id": record_id, **{k: v for k, v in record.items() if k != "id"}}
        return record

    def _id_value(self, schema: dict):
        schema = self.schemas.resolve(schema)
        if schema.get("type") == "string":
            return f"00000000-0000-4000-8000-{next(self._ids):012d}"
        return self.next_id()

    def value(self, schema: dict, *, depth: int, name: str = "") -> Any:
        schema = self.schemas.resolve(schema)
        if schema.get("nullable") and self.variant != "full":
            return None
        if "enum" in schema:
            options = schema["enum"]
            return options[next(self._turn) % len(options)]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self._object(schema, depth)
        if kind == "array":
            if depth > 4:
                return []
            return [self.value(schema.get("items", {}), depth=depth + 1, name=name)]
        if kind == "string":
            return self._string(schema, name)
        if kind == "integer":
            if schema.get("format") == "int64":
                # references (ids of other records) and counts: big ones, as int64 allows
                # ids (of this record and the ones it points at) as large as int64 ids get; counts and durations
                # stay within 32 bits (LAZI keeps those in 32-bit columns; a larger one is a recorded problem)
                return self.next_id() if name.lower().endswith(("id", "ids")) or name == "" else 90
            return 3
        if kind == "number":
            return (12, 1234.5678, 0, 99.99, 0.1)[next(self._numbers) % 5]  # integers and fractions
        if kind == "boolean":
            return bool(next(self._turn) % 2)
        return None  # an untyped schema: null is one of its values

    def _object(self, schema: dict, depth: int) -> dict:
        properties = schema.get("properties", {})
        if not properties and isinstance(schema.get("additionalProperties"), dict):
            return {"someKey": self.value(schema["additionalProperties"], depth=depth + 1)}
        required = set(schema.get("required", ()))
        out = {}
        for prop_name, prop in properties.items():
            if self.variant == "minimal" and prop_name not in required:
                continue
            if depth > 5 and prop_name not in required:
                continue
            out[prop_name] = self.value(prop, depth=depth + 1, name=prop_name)
        out[UNKNOWN_FIELD] = {"added": "later", "n": depth}
        return out

    def _string(self, schema: dict, name: str) -> str:
        fmt = schema.get("format")
        turn = next(self._turn)
        if fmt == "date-time":
            return DATETIMES[turn % len(DATETIMES)]
        if fmt == "date":
            return "2024-03-15"
        if fmt in ("guid", "uuid"):
            return f"00000000-0000-4000-8000-{turn:012d}"
        if fmt == "duration":
            return "01:30:00"
        if fmt == "email":
            return "someone@example.com"
        if fmt == "phone":
            return "5555550100"
        return f"{name or 'text'} {turn}"


def generate(resource: Resource, operation: Operation, variant: str, count: int, *, seed: int = 0) -> list[dict]:
    generator = RecordGenerator(schemas_of(resource.api_module), variant, seed=seed)
    schema = record_schema(resource, operation)
    return [generator.record(schema) for _ in range(count)]


# --- requests checked against the spec --------------------------------------------------------------------------------
def query_errors(resource: Resource, operation: Operation, query: dict[str, str]) -> list[str]:
    """What is wrong with a query by the operation's parameters: unknown names, values outside an enum or a type."""
    schemas = schemas_of(resource.api_module)
    declared = {p["name"]: p for p in spec_operation(resource, operation).get("parameters", []) if p["in"] == "query"}
    errors = []
    for name, value in query.items():
        if name not in declared:
            errors.append(f"{name}: not a parameter of {operation.method} {operation.path}")
            continue
        schema = schemas.resolve(declared[name].get("schema", {}))
        if "enum" in schema and value not in schema["enum"]:
            errors.append(f"{name}={value!r}: not one of {schema['enum']}")
        kind = schema.get("type")
        if kind == "integer" and not re.fullmatch(r"-?[0-9]+", value):
            errors.append(f"{name}={value!r}: not an integer")
        if kind == "boolean" and value not in ("true", "false"):
            errors.append(f"{name}={value!r}: not a boolean")
        if kind == "string" and schema.get("format") == "date-time" and not _DATETIME.fullmatch(value):
            errors.append(f"{name}={value!r}: not an ISO 8601 date-time")
    if "pageSize" in query and not 1 <= int(query["pageSize"]) <= 5000:
        errors.append(f"pageSize={query['pageSize']}: outside 1..5000")
    if "page" in query and int(query["page"]) < 1:
        errors.append(f"page={query['page']}: pages count from 1")
    return errors


_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def body_errors(schemas: SpecSchemas, schema: dict, value: Any, path: str = "body") -> list[str]:
    """Validate a JSON body against an OpenAPI 3.0 schema (types, required, nullable, enums, no extra properties
    where `additionalProperties: false`, formats of date-times and numbers)."""
    schema = schemas.resolve(schema)
    if value is None:
        return [] if schema.get("nullable") or not schema else [f"{path}: null where the spec does not allow it"]
    if "enum" in schema:
        return [] if value in schema["enum"] else [f"{path}: {value!r} is not one of {schema['enum']}"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__} where the spec wants an object"]
        errors = [f"{path}.{name}: required" for name in schema.get("required", ()) if name not in value]
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                errors += body_errors(schemas, properties[name], item, f"{path}.{name}")
            elif extra is False:
                errors.append(f"{path}.{name}: not a property of the spec's schema")
            elif isinstance(extra, dict):
                errors += body_errors(schemas, extra, item, f"{path}.{name}")
        return errors
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__} where the spec wants an array"]
        return [
            e
            for i, item in enumerate(value)
            for e in body_errors(schemas, schema.get("items", {}), item, f"{path}[{i}]")
        ]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: {type(value).__name__} where the spec wants a string"]
        if schema.get("format") == "date-time" and not _DATETIME.fullmatch(value):
            return [f"{path}: {value!r} is not an ISO 8601 date-time"]
        return []
    if kind == "integer":
        if type(value) is not int:
            return [f"{path}: {value!r} where the spec wants an integer"]
        if schema.get("format") == "int32" and not -(2**31) <= value < 2**31:
            return [f"{path}: {value} does not fit int32"]
        return []
    if kind == "number":
        return [] if type(value) in (int, float) else [f"{path}: {value!r} where the spec wants a number"]
    if kind == "boolean":
        return [] if type(value) is bool else [f"{path}: {value!r} where the spec wants a boolean"]
    return []
