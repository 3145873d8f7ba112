"""A ServiceTitan stand-in for LAZI's writes, built from the OpenAPI specs alone (`servicetitan/openapi/*.json`).

Every request LAZI sends (over `responses`) is matched to a spec operation by method and path template, and checked
there: the path parameters' types, the query's names (declared ones only, required ones present, enums and types),
and the body against the operation's `requestBody` schema, validated by `jsonschema` (Draft 4, as OpenAPI 3.0's
schema dialect is; `nullable` becomes a JSON-Schema null, `$ref`s resolved within the spec, `additionalProperties:
false` as the specs say it, int32/int64/date-time formats enforced). A multipart upload is checked part by part
against the schema's properties.

Answers come from the records the test seeds (by id), changed by the writes the spec'd way (a PATCH's keys that are
also properties of the record's response schema), or are generated from the operation's response schema; each answer
is itself validated against that response schema, so the shapes LAZI reads are the spec's. Deliberately nothing from
`devtools` (the simulator) and nothing from LAZI's registry in the matching: the spec decides what an operation is.
"""

from __future__ import annotations

import copy
import datetime
import itertools
import json
import re
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema
import responses

from servicetitan.conversions import utc_datetime
from tests.servicetitan.client_support import API
from tests.servicetitan.spec_standin import RecordGenerator, SpecSchemas, spec

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")
STORAGE = "https://files.st-storage.test"  # where an image download redirects to (another host than the API)


# --- OpenAPI 3.0 schemas as JSON Schema -----------------------------------------------------------------------------
def to_json_schema(schema: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema (Draft 4): `nullable` allows null, `oneOf` of one `$ref` stays exact, vendor
    extensions and OpenAPI-only keywords dropped."""
    if isinstance(schema, list):
        return [to_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {
        key: to_json_schema(value)
        for key, value in schema.items()
        if not key.startswith("x-") and key not in ("nullable", "example", "deprecated", "readOnly", "writeOnly")
    }
    if "properties" in schema:
        # `properties` maps names to schemas: converted one by one (not as a schema itself).
        out["properties"] = {name: to_json_schema(value) for name, value in schema["properties"].items()}
    if schema.get("nullable"):
        if "$ref" in out or "oneOf" in out or "allOf" in out or "anyOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
        else:
            if "type" in out:
                out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
    return out


def _check_int(bits: int):
    def check(value) -> bool:
        return not isinstance(value, int) or isinstance(value, bool) or -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)

    return check


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("int32")(_check_int(32))
FORMATS.checks("int64")(_check_int(64))
FORMATS.checks("date-time")(lambda value: not isinstance(value, str) or bool(DATETIME.fullmatch(value)))
FORMATS.checks("date")(lambda value: not isinstance(value, str) or bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)))
FORMATS.checks("guid")(lambda value: not isinstance(value, str) or bool(GUID.fullmatch(value)))
FORMATS.checks("uuid")(lambda value: not isinstance(value, str) or bool(GUID.fullmatch(value)))


def _lenient(schema: Any) -> Any:
    """The schema without `additionalProperties: false`: ServiceTitan's answers add fields without notice."""
    if isinstance(schema, list):
        return [_lenient(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {k: _lenient(v) for k, v in schema.items() if not (k == "additionalProperties" and v is False)}


@cache
def json_components(api_module: str, strict: bool) -> dict:
    schemas = {name: to_json_schema(s) for name, s in spec(api_module)["components"]["schemas"].items()}
    return {"components": {"schemas": schemas if strict else _lenient(schemas)}}


@cache
def _validator(api_module: str, schema_text: str, strict: bool) -> jsonschema.Draft4Validator:
    schema = to_json_schema(json.loads(schema_text))
    root = {**json_components(api_module, strict), **(schema if strict else _lenient(schema))}
    return jsonschema.Draft4Validator(root, format_checker=FORMATS)


def schema_errors(api_module: str, schema: dict, value: Any, where: str, *, strict: bool = True) -> list[str]:
    """Every way `value` breaks `schema` (an OpenAPI schema of that module's spec), one line each. `strict`: as the
    spec says (what LAZI sends); otherwise fields the spec does not name are allowed (what ServiceTitan answers)."""
    validator = _validator(api_module, json.dumps(schema, sort_keys=True), strict)
    found = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path))):
        # "not valid under any of the given schemas" (a nullable `oneOf`): the reason inside, not the wrapper's.
        while error.context:
            error = jsonschema.exceptions.best_match(error.context)
        found.append(f"{where}{''.join(f'[{p!r}]' for p in error.absolute_path)}: {error.message}")
    return found


# --- operations -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpecOperation:
    api_module: str
    method: str
    template: str  # "/tenant/{tenant}/materials/{id}"
    operation: dict

    @property
    def key(self) -> str:
        return f"{self.method} /{self.api_module}/v2{self.template}"

    def parameters(self, where: str) -> dict[str, dict]:
        return {p["name"]: p for p in self.operation.get("parameters", []) if p["in"] == where}

    def answer(self) -> tuple[int, dict | None]:
        """The operation's success status and its JSON schema (None: it answers without a body)."""
        for status, answer in sorted(self.operation["responses"].items()):
            if status.startswith(("2", "3")):
                for media in answer.get("content", {}).values():
                    if "schema" in media:
                        return int(status), media["schema"]
                return int(status), None
        raise LookupError(f"{self.key} has no success answer in the spec")


@cache
def _templates(api_module: str) -> list[tuple[re.Pattern, str, dict]]:
    """The module's paths as patterns, literal segments before placeholders (`/jobs/{id}` after `/jobs/export`)."""
    found = []
    for template, methods in spec(api_module)["paths"].items():
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        found.append((re.compile(f"^{pattern}$"), template, methods))
    return sorted(found, key=lambda item: (item[1].count("{"), item[1]))


def find_operation(method: str, url: str) -> tuple[SpecOperation | None, dict[str, str]]:
    """The spec operation a request is, with its path parameters; (None, {}) when the specs have no such request."""
    path = urlsplit(url).path.removeprefix(urlsplit(API).path)
    match = re.match(r"^/([\w-]+)/v2(/.*)$", path)
    if not match:
        return None, {}
    api_module, rest = match.groups()
    try:
        templates = _templates(api_module)
    except FileNotFoundError:
        return None, {}
    for pattern, template, methods in templates:
        found = pattern.match(rest)
        if found and method.lower() in methods:
            return SpecOperation(api_module, method, template, methods[method.lower()]), found.groupdict()
    return None, {}


def _parameter_errors(op: SpecOperation, where: str, values: dict[str, str]) -> list[str]:
    declared = op.parameters(where)
    errors = [f"{op.key}: {where} parameter {name!r} is not in the spec" for name in values if name not in declared]
    errors += [
        f"{op.key}: required {where} parameter {name!r} missing"
        for name, p in declared.items()
        if p.get("required") and name not in values
    ]
    for name, value in values.items():
        if name not in declared:
            continue
        schema = SpecSchemas(op.api_module).resolve(declared[name].get("schema", {}))
        typed: Any = value
        if schema.get("type") == "integer":
            if not re.fullmatch(r"-?\d+", value):
                errors.append(f"{op.key}: {where} parameter {name}={value!r} is not an integer")
                continue
            typed = int(value)
        elif schema.get("type") == "number":
            try:
                typed = float(value)
            except ValueError:
                errors.append(f"{op.key}: {where} parameter {name}={value!r} is not a number")
                continue
        elif schema.get("type") == "boolean":
            if value not in ("true", "false"):
                errors.append(f"{op.key}: {where} parameter {name}={value!r} is not true/false")
                continue
            typed = value == "true"
        errors += schema_errors(op.api_module, declared[name].get("schema", {}), typed, f"{op.key} {where} {name}")
    return errors


def _multipart_parts(content_type: str, body: bytes) -> dict[str, bytes]:
    message = BytesParser(policy=policy.HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = {}
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        if name:
            parts[name] = part.get_payload(decode=True) or b""
    return parts


def _body_errors(op: SpecOperation, content_type: str, raw: bytes | None) -> tuple[list[str], Any]:
    """(errors, the body as sent: JSON, or {part name: bytes} for a multipart upload)."""
    declared = op.operation.get("requestBody")
    if not declared:
        return ([f"{op.key}: a body where the spec takes none"] if raw else []), None
    if not raw:
        return ([f"{op.key}: no body where the spec requires one"] if declared.get("required") else []), None
    content = declared.get("content", {})
    schema = next(iter(content.values()), {}).get("schema", {})
    if content_type.startswith("multipart/form-data"):
        # The images spec describes its upload as an object of binary properties (a form's parts).
        parts = _multipart_parts(content_type, raw)
        resolved = SpecSchemas(op.api_module).resolve(schema)
        properties = resolved.get("properties", {})
        binary = {name for name, p in properties.items() if p.get("format") == "binary"}
        errors = [f"{op.key}: multipart part {name!r} is not in the spec" for name in parts if name not in properties]
        errors += [
            f"{op.key}: required part {name!r} missing" for name in resolved.get("required", ()) if name not in parts
        ]
        if not binary:
            errors.append(f"{op.key}: a multipart upload where the spec takes no file")
        errors += [f"{op.key}: file part {name!r} is empty" for name in binary & set(parts) if not parts[name]]
        return errors, parts
    if not any(media.endswith("json") for media in content):
        return [f"{op.key}: a JSON body where the spec takes {', '.join(content)}"], None
    try:
        body = json.loads(raw)
    except ValueError:
        return [f"{op.key}: the body is not JSON"], None
    return schema_errors(op.api_module, schema, body, f"{op.key} body"), body


# --- the stand-in -----------------------------------------------------------------------------------------------------
@dataclass
class Exchange:
    """One request LAZI sent and what the stand-in made of it."""

    operation: str  # SpecOperation.key, or "<method> <path>" for a request the specs do not have
    path_params: dict[str, str]
    query: dict[str, str]
    body: Any
    errors: list[str] = field(default_factory=list)


class WriteStandIn:
    """Serves every ServiceTitan request from the specs (see the module's docstring). `exchanges` are the requests in
    order; `errors` every mismatch with the spec, of requests and of the stand-in's own answers."""

    def __init__(self, tenant: int):
        self.tenant = tenant
        self.records: dict[tuple[str, int], dict] = {}  # (collection path, id) -> record
        self.exchanges: list[Exchange] = []
        self.errors: list[str] = []
        self._ids = itertools.count(7_000_000_001)
        for method in (responses.GET, responses.POST, responses.PUT, responses.PATCH, responses.DELETE):
            responses.add_callback(method, re.compile(re.escape(API) + r"/.*"), callback=self._answer)
        responses.add(responses.GET, re.compile(re.escape(STORAGE) + r"/.*"), body=b"GIF89a", content_type="image/gif")

    # --- seeding and reading back ---
    def seed(self, collection: str, records: list[dict]) -> None:
        """Records ServiceTitan has under `/tenant/{tenant}/<collection>` (e.g. "materials", "clientspecificpricing")."""
        for record in records:
            self.records[(collection, int(record["id"]))] = copy.deepcopy(record)

    def sent(self, operation: str) -> list[Exchange]:
        """The requests sent to one operation ("PATCH /pricebook/v2/tenant/{tenant}/materials/{id}")."""
        return [e for e in self.exchanges if e.operation == operation]

    def operations(self) -> list[str]:
        return [e.operation for e in self.exchanges]

    # --- answering ---
    def _answer(self, request):
        url = request.url
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        raw = request.body.encode() if isinstance(request.body, str) else request.body
        op, path_params = find_operation(request.method, url)
        if op is None:
            key = f"{request.method} {urlsplit(url).path}"
            self._fail(Exchange(key, {}, query, raw), f"{key}: no operation of the specs")
            return 404, {}, json.dumps({"title": "Not Found", "status": 404})
        errors = _parameter_errors(op, "path", path_params) + _parameter_errors(op, "query", query)
        if path_params.get("tenant") != str(self.tenant):
            errors.append(f"{op.key}: tenant {path_params.get('tenant')} is not {self.tenant}")
        body_errors, body = _body_errors(op, request.headers.get("Content-Type", ""), raw)
        exchange = Exchange(op.key, path_params, query, body, errors + body_errors)
        self.exchanges.append(exchange)
        self.errors += exchange.errors
        status, answer, headers = self._respond(op, path_params, query, body)
        success, answer_schema = op.answer()
        if status == success and answer_schema is not None and answer is not None:
            self.errors += schema_errors(
                op.api_module, answer_schema, answer, f"the stand-in's answer to {op.key}", strict=False
            )
        return status, headers, "" if answer is None else json.dumps(answer)

    def _fail(self, exchange: Exchange, message: str) -> None:
        exchange.errors.append(message)
        self.exchanges.append(exchange)
        self.errors.append(message)

    def _respond(self, op: SpecOperation, path_params: dict, query: dict, body: Any) -> tuple[int, Any, dict]:
        status, answer_schema = op.answer()
        parts = op.template.removeprefix("/tenant/{tenant}/").split("/")
        collection = parts[0]
        record_id = next((int(v) for k, v in path_params.items() if k != "tenant" and v.isdigit()), None)
        if op.template.endswith("/images") and op.method == "GET":
            return 302, None, {"Location": f"{STORAGE}/{query.get('path', 'missing')}"}
        if op.template.endswith("/images") and op.method == "POST":
            return status, {"path": f"Images/Pricebook/{next(self._ids)}.gif"}, {}
        if op.method == "GET" and record_id is not None and len(parts) == 2:
            record = self.records.get((collection, record_id))
            if record is None:
                return 404, {"title": "Not Found", "status": 404, "errors": {}}, {}
            return status, self._wrapped(op, answer_schema, record), {}
        if op.method == "GET":
            return status, self._page(op, collection, query), {}
        if op.template == "/tenant/{tenant}/pricebook":
            for name in ("materials", "services", "equipment"):
                for item in (body or {}).get(name) or []:
                    self._apply(op.api_module, name, item.get("id"), item)
            return status, None, {}
        if record_id is not None and (collection, record_id) in self.records:
            record = self._apply(op.api_module, collection, record_id, body if len(parts) == 2 else {})
            if answer_schema is None:
                return status, None, {}
            if op.template.endswith("clientspecificpricing/{rateSheetId}"):
                return status, {"exceptions": record.get("exceptions") or []}, {}
            return status, self._wrapped(op, answer_schema, record), {}
        if answer_schema is None:
            return status, None, {}
        answer = RecordGenerator(SpecSchemas(op.api_module), "full", seed=next(self._ids) % 97).record(answer_schema)
        target = answer.get("data") if isinstance(answer.get("data"), dict) else answer
        if "id" in target:
            target["id"] = record_id if record_id is not None else next(self._ids)
            if op.method == "POST":
                self.records[(collection, target["id"])] = target
        return status, answer, {}

    def _wrapped(self, op: SpecOperation, answer_schema: dict, record: dict) -> dict:
        """A record as the operation answers it: itself, or inside `{data: …}` (`Result_Of_…` answers)."""
        resolved = SpecSchemas(op.api_module).resolve(answer_schema)
        data = resolved.get("properties", {}).get("data")
        if data is not None and "id" not in resolved.get("properties", {}):
            return {"data": record}
        return record

    def _page(self, op: SpecOperation, collection: str, query: dict) -> dict:
        ids = {int(v) for v in query.get("ids", "").split(",") if v.strip().isdigit()}
        records = [r for (c, i), r in self.records.items() if c == collection and (not ids or i in ids)]
        since = query.get("modifiedOnOrAfter")
        if since:
            moment = _moment(since)
            records = [r for r in records if r.get("modifiedOn") and _moment(r["modifiedOn"]) >= moment]
        size = int(query.get("pageSize") or 50)
        return {
            "page": int(query.get("page") or 1),
            "pageSize": size,
            "hasMore": False,
            "totalCount": len(records),
            "data": records,
        }

    def _apply(self, api_module: str, collection: str, record_id, change: dict | None) -> dict:
        """A write's effect on the record: each key the record's response schema also has, whose value fits it
        there (a request's `categories` ids do not become a response's category objects), and a new modifiedOn."""
        record = self.records.get((collection, int(record_id))) if record_id is not None else None
        if record is None:
            self.errors.append(f"a write to {collection}/{record_id}, which the stand-in does not have")
            return {}
        schema = _record_schema(api_module, collection)
        for key, value in (change or {}).items():
            prop = schema.get("properties", {}).get(key) if schema else None
            if prop is not None and not schema_errors(api_module, prop, value, key, strict=False):
                record[key] = value
        if "modifiedOn" in record or (schema and "modifiedOn" in schema.get("properties", {})):
            record["modifiedOn"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return record


@cache
def _record_schema(api_module: str, collection: str) -> dict | None:
    """The record schema of a collection's list endpoint (`data.items`), resolved one level."""
    methods = spec(api_module)["paths"].get(f"/tenant/{{tenant}}/{collection}", {})
    if "get" not in methods:
        return None
    op = SpecOperation(api_module, "GET", f"/tenant/{{tenant}}/{collection}", methods["get"])
    _, schema = op.answer()
    schemas = SpecSchemas(api_module)
    return schemas.resolve(schemas.resolve(schema)["properties"]["data"]["items"])


def _moment(text: str) -> datetime.datetime:
    return utc_datetime(text)
