"""The simulator's HTTP behaviour, independent of the server: a request in, a response out.

URL layout as ServiceTitan's with API_URL = AUTH_URL = the simulator's root: `POST /connect/token` and
`/{api_module}/v2/tenant/{tenant}/…` for every resource in `servicetitan.registry`, plus `/_simulator/…` controls
(never subject to auth, budget or faults).
"""

from __future__ import annotations

import base64
import binascii
import email.parser
import email.policy
import json
import re
import secrets
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, unquote

from devtools.simulator import bodies
from devtools.simulator.constants import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from devtools.simulator.dataset import LINE_KEYS, Dataset, ListFilter, canonical
from devtools.simulator.faults import FaultConfig, RequestBudget
from devtools.simulator.shapes import shape_of
from devtools.simulator.spec import module_schemas, resource_schema_names
from servicetitan.registry import RESOURCES, Resource

MAX_PAGE_SIZE = 5000
DEFAULT_PAGE_SIZE = 50
MAX_IDS = 50  # "Perform lookup by multiple IDs (maximum 50)"
TOKEN_PATH = "/connect/token"
CONTROL_PREFIX = "/_simulator/"
FILES_PREFIX = "/_simulator/files/"
# A 1x1 PNG served for the images the generated data refers to (`Images/Seed/…`).
PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
# Creates that store only what the request sent over the record's empty shape (ServiceTitan's pricebook items).
RATE_SHEETS = "sales.rate-sheets"
DISCOUNTS_AND_FEES = "sales.discounts-and-fees"
# Where a rate-sheet exception's SKU is found, and the `skuType` (Pricebook.Types.SkuType) it then shows.
SKU_TYPES = {"pricebook.materials": "Material", "pricebook.services": "Service", "pricebook.equipment": "Equipment"}
AS_SENT_CREATES = {"pricebook.materials", "pricebook.services", "pricebook.equipment"}
MARKUP_TIERS = "pricebook.markup-tiers"
MARKUP_MAX = 2147483647
# List query parameters that filter on a record field of the same name when the resource has that field.
EQUALITY_FILTERS = ("customerId", "jobId", "locationId", "categoryType", "isArchived")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        if not values:
            # ServiceTitan's query binding ignores case.
            lowered = name.lower()
            values = next((v for k, v in self.query.items() if k.lower() == lowered), None)
        return values[-1] if values else None

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return _INVALID_JSON


_INVALID_JSON = object()


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


class HttpError(Exception):
    def __init__(self, status: int, title: str, errors: dict | None = None, headers=None):
        super().__init__(title)
        self.status, self.title, self.errors, self.headers = status, title, errors or {}, headers or []


def dumps(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def problem(status: int, title: str, errors: dict | None = None, headers=None) -> Response:
    """An RFC 7807 body the way ServiceTitan writes them."""
    body = {
        "type": f"https://httpstatuses.io/{status}",
        "title": title,
        "status": status,
        "traceId": uuid.uuid4().hex,
        "errors": errors or {},
        "data": {},
    }
    return Response(status, dumps(body), "application/problem+json; charset=utf-8", list(headers or []))


def error_map(pairs: list[tuple[str, str]], rename=lambda path: path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path, message in pairs:
        out.setdefault(rename(path), []).append(message)
    return out


class Stats:
    """Request counts: total, by (method, path template), by status. API and token requests only."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self.total = 0
            self.by_route: Counter = Counter()
            self.by_status: Counter = Counter()

    def count(self, method: str, template: str, status: int):
        with self._lock:
            self.total += 1
            self.by_route[(method, template)] += 1
            self.by_status[status] += 1

    def calls(self, method: str, template: str) -> int:
        return self.by_route[(method, template)]

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": self.total,
                "by_route": {f"{method} {template}": n for (method, template), n in sorted(self.by_route.items())},
                "by_status": {str(status): n for status, n in sorted(self.by_status.items())},
            }


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # "/pricebook/v2/tenant/{tenant}/materials/{id}"
    pattern: re.Pattern
    resource: Resource
    action: str  # list | get | export | a write name


def build_routes() -> list[Route]:
    routes = []
    for resource in RESOURCES.values():
        operations = [("list", resource.list_operation), ("get", resource.get_operation)]
        operations += [("export", resource.export_operation)]
        operations += list(resource.writes.items())
        for action, op in operations:
            if op is None:
                continue
            template = resource.prefix + op.path
            regex = (
                re.escape(template)
                .replace(r"\{tenant\}", r"(?P<tenant>[^/]+)")
                .replace(r"\{id\}", r"(?P<id>[^/]+)")
                # Client-specific pricing names its id `rateSheetId`.
                .replace(r"\{rateSheetId\}", r"(?P<id>[^/]+)")
            )
            routes.append(Route(op.method, template, re.compile(f"^{regex}$"), resource, action))
    # Literal paths before parameterised ones (`/export/jobs` must not read as a job id).
    routes.sort(key=lambda route: route.template.count("{"))
    return routes


def encode_token(seq: int) -> str:
    return base64.urlsafe_b64encode(f"lazi-sim:{seq}".encode()).decode().rstrip("=")


def decode_token(token: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, seq = raw.partition(":")
    return int(seq) if prefix == "lazi-sim" and seq.isdigit() else None


def parse_id(raw: str):
    raw = unquote(raw)
    return int(raw) if raw.isdigit() else raw


class SimulatorApp:
    def __init__(
        self,
        dataset: Dataset,
        faults: FaultConfig,
        *,
        rate_per_second: int | None = None,
        tenant_id: int | None = None,
    ):
        self.dataset = dataset
        self.faults = faults
        self.budget = RequestBudget(rate_per_second)
        self.tenant_id = tenant_id or dataset.tenant_id
        self.stats = Stats()
        self.routes = build_routes()
        self.images: dict[str, tuple[bytes, str]] = {}
        self._tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self._lock = threading.Lock()

    # --- entry point ---------------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        if request.path.startswith(CONTROL_PREFIX):
            try:
                return self.control(request)
            except HttpError as exc:
                return problem(exc.status, exc.title, exc.errors, exc.headers)
        if request.path == TOKEN_PATH:
            response = self._faulted(request, token=True)[0] or self.token(request)
            self.stats.count(request.method, TOKEN_PATH, response.status)
            return response
        route, match = self._route(request)
        template = route.template if route else "<unmatched>"
        if route is None:
            response = problem(404 if match is None else 405, "Not Found" if match is None else "Method Not Allowed")
        else:
            response = self._api(request, route, match)
        self.stats.count(request.method, template, response.status)
        return response

    def _route(self, request: Request):
        path_matched = None
        for route in self.routes:
            match = route.pattern.match(request.path)
            if match:
                if route.method == request.method:
                    return route, match
                path_matched = match
        return None, path_matched

    def _faulted(self, request: Request, *, token: bool = False) -> tuple[Response | None, bool]:
        """(a fault response or None, whether a 200 answer is to be truncated)."""
        faults = self.faults
        if faults.latency:
            time.sleep(faults.latency)
        fault_draw, truncate_draw = faults.draws()
        truncate = truncate_draw < faults.truncate_rate
        if fault_draw < faults.error_rate and (not token or faults.token_errors):
            status = (500, 502, 503)[int(fault_draw / faults.error_rate * 3) % 3]
            if int(fault_draw / faults.error_rate * 6) % 2:
                html = f"<html><body><h1>{status} Service Unavailable</h1></body></html>".encode()
                return Response(status, html, "text/html; charset=utf-8"), False
            return problem(status, "The service is temporarily unavailable"), False
        if not token and fault_draw < faults.error_rate + faults.rate_limit_rate:
            return problem(429, "Too Many Requests", headers=[("Retry-After", str(faults.retry_after))]), False
        return None, truncate

    def _api(self, request: Request, route: Route, match: re.Match) -> Response:
        response, truncate = self._faulted(request)
        if response:
            return response
        wait = self.budget.admit()
        if wait is not None:
            return problem(429, "Rate limit exceeded", headers=[("Retry-After", str(wait))])
        try:
            self._authorize(request, match.group("tenant"))
            if route.resource.key == "pricebook.bulk":
                response = self.bulk(request)
            else:
                response = getattr(self, "do_" + route.action, self.do_write)(request, route, match)
        except HttpError as exc:
            return problem(exc.status, exc.title, exc.errors, exc.headers)
        if truncate and response.status == 200 and len(response.body) > 2:
            cut = max(1, len(response.body) // 2)
            response = Response(200, response.body[:cut], response.content_type, response.headers)
        return response

    # --- auth ----------------------------------------------------------------------------------------------------
    def token(self, request: Request) -> Response:
        if request.method != "POST":
            return problem(405, "Method Not Allowed")
        form = parse_qs(request.body.decode("utf-8", "replace"))
        value = {name: values[-1] for name, values in form.items()}
        if value.get("grant_type") != "client_credentials":
            return Response(400, dumps({"error": "unsupported_grant_type"}))
        if value.get("client_id") != DEMO_CLIENT_ID or value.get("client_secret") != DEMO_CLIENT_SECRET:
            return Response(400, dumps({"error": "invalid_client"}))
        token = secrets.token_urlsafe(32)
        lifetime = int(self.faults.token_lifetime)
        with self._lock:
            now = time.monotonic()
            self._tokens = {t: expiry for t, expiry in self._tokens.items() if expiry > now}
            self._tokens[token] = now + lifetime
        return Response(200, dumps({"access_token": token, "token_type": "Bearer", "expires_in": lifetime}))

    def _authorize(self, request: Request, tenant: str) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        expiry = self._tokens.get(token) if scheme.lower() == "bearer" else None
        if expiry is None:
            raise HttpError(401, "Unauthorized", headers=[("WWW-Authenticate", 'Bearer error="invalid_token"')])
        if expiry <= time.monotonic():
            raise HttpError(
                401,
                "Unauthorized",
                headers=[("WWW-Authenticate", 'Bearer error="invalid_token", error_description="The token expired"')],
            )
        app_key = request.headers.get("st-app-key")
        if not app_key:
            raise HttpError(401, "The ST-App-Key header is missing")
        if app_key != DEMO_APP_KEY:
            raise HttpError(403, "The application key is not valid")
        if tenant != str(self.tenant_id):
            raise HttpError(403, f"The application has no access to tenant {tenant}")

    def expire_tokens(self) -> None:
        """Make every issued token expired (as if its lifetime had passed)."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, 0.0)

    # --- reads ---------------------------------------------------------------------------------------------------
    def do_list(self, request: Request, route: Route, match) -> Response:
        key = route.resource.key
        page = _int_param(request, "page", 1, minimum=1)
        size = _int_param(request, "pageSize", DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE)
        criteria = self._list_filter(request, route.resource)
        rows = self.dataset.select(key, criteria)
        start = (page - 1) * size
        chunk = rows[start : start + size]
        include_total = (request.param("includeTotal") or "").lower() == "true"
        body = {
            "page": page,
            "pageSize": size,
            "hasMore": start + size < len(rows),
            "totalCount": len(rows) if include_total else None,
            "data": self.dataset.views(key, chunk, "list"),
        }
        return Response(200, dumps(body))

    def _list_filter(self, request: Request, resource: Resource) -> ListFilter:
        active = self._active_filter(request, resource)
        dates = {}
        for param, name in (
            ("modifiedOnOrAfter", "modified_on_or_after"),
            ("modifiedBefore", "modified_before"),
            ("createdOnOrAfter", "created_on_or_after"),
            ("createdBefore", "created_before"),
        ):
            value = request.param(param)
            if value:
                try:
                    dates[name] = canonical(value)
                except ValueError:
                    raise HttpError(
                        400, "One or more validation errors occurred.", {param: [f"The value '{value}' is not valid."]}
                    ) from None
        ids = None
        if request.param("ids"):
            ids = frozenset(parse_id(part.strip()) for part in request.param("ids").split(",") if part.strip())
            if len(ids) > MAX_IDS:
                raise HttpError(
                    400,
                    "One or more validation errors occurred.",
                    {"ids": [f"At most {MAX_IDS} ids can be looked up at once"]},
                )
        skeleton = shape_of(resource.key).skeleton
        equals = []
        for name in EQUALITY_FILTERS:
            value = request.param(name)
            if value is not None and name in skeleton:
                if isinstance(skeleton[name], bool):
                    equals.append((name, value.lower() == "true"))
                else:
                    equals.append((name, parse_id(value)))
        return ListFilter(active=active, ids=ids, equals=tuple(equals), **dates)

    @staticmethod
    def _active_filter(request: Request, resource: Resource) -> str | None:
        """ "true" (the default: active only), "false" or None (any), from the resource's own parameter."""
        if resource.include_inactive is None:
            # No active parameter in LAZI's use: the list shows everything that exists.
            value = request.param("active")
            if value is None or "active" not in shape_of(resource.key).skeleton:
                return None
            param = "active"
        else:
            param = resource.include_inactive[0]
            value = request.param(param)
        if param == "includeInactive":
            return None if (value or "").lower() == "true" else "true"
        if param == "activeOnly":
            # A boolean: true lists active records only; false, or none given, every record.
            return "true" if (value or "").lower() == "true" else None
        if param == "activeState":
            mapping = {None: "true", "activeonly": "true", "all": None, "inactiveonly": "false"}
        else:
            mapping = {None: "true", "true": "true", "false": "false", "any": None}
        normalized = value.lower() if value is not None else None
        if normalized not in mapping:
            raise HttpError(
                400, "One or more validation errors occurred.", {param: [f"The value '{value}' is not valid."]}
            )
        return mapping[normalized]

    def do_get(self, request: Request, route: Route, match) -> Response:
        key = route.resource.key
        record_id = parse_id(match.group("id"))
        record = self.dataset.get(key, record_id)
        if record is None:
            raise HttpError(404, "Not Found", {"id": [f"{route.resource.collection} {record_id} was not found"]})
        return Response(200, dumps(self._enveloped(key, "get", self.dataset.view(key, record, "get"))))

    @staticmethod
    def _enveloped(key: str, kind: str, record: dict):
        """`{"data": record}` where the operation answers so (the markup table), else the record."""
        name = resource_schema_names(key).get(kind)
        if name and module_schemas(RESOURCES[key].api_module).is_record_envelope(name):
            return {"data": record}
        return record

    def _check_markup_tier(self, body: dict, record_id=None) -> None:
        """ServiceTitan's rules on a markup tier: bounds of the request schema, from < to, no overlap with another."""
        errors: dict[str, list[str]] = {}
        low, high, percent = body.get("from"), body.get("to"), body.get("percent")
        for name, value, top in (("From", low, MARKUP_MAX), ("To", high, MARKUP_MAX), ("Percent", percent, 100)):
            if isinstance(value, int | float) and not 0 <= value <= top:
                errors.setdefault(name, []).append(f"{name} must be between 0 and {top}")
        if not errors and isinstance(low, int | float) and isinstance(high, int | float):
            if low >= high:
                errors["To"] = ["To must be greater than From"]
            else:
                for other in self.dataset.records(MARKUP_TIERS):
                    if other["id"] == record_id or self.dataset.is_deleted(MARKUP_TIERS, other["id"]):
                        continue
                    if low < other["to"] and other["from"] < high:
                        errors["From"] = [f"The range {low}-{high} overlaps the range {other['from']}-{other['to']}"]
                        break
        if errors:
            raise HttpError(400, "One or more validation errors occurred.", errors)

    def do_export(self, request: Request, route: Route, match) -> Response:
        key = route.resource.key
        origin = request.param("from")
        after, since = 0, None
        if origin:
            after = decode_token(origin)
            if after is None:
                after = 0
                try:
                    since = canonical(origin)
                except ValueError:
                    raise HttpError(
                        400,
                        "One or more validation errors occurred.",
                        {"from": [f"'{origin}' is neither a continuation token nor a date"]},
                    ) from None
        batch = self.dataset.export(key, after, since=since)
        body = {
            "hasMore": batch.has_more,
            "continueFrom": encode_token(batch.last_seq),
            "data": self.dataset.views(key, batch.records, "export"),
        }
        return Response(200, dumps(body))

    # --- writes --------------------------------------------------------------------------------------------------
    def _body(self, request: Request) -> dict:
        body = request.json()
        if body is _INVALID_JSON or not isinstance(body, dict):
            raise HttpError(400, "One or more validation errors occurred.", {"body": ["A JSON object is required."]})
        return body

    def _request_schema(self, key: str, action: str) -> dict | None:
        name = resource_schema_names(key).get(f"{action}.request")
        return module_schemas(RESOURCES[key].api_module).named(name) if name else None

    def _validated(self, request: Request, key: str, action: str) -> dict:
        body = self._body(request)
        schema = self._request_schema(key, action)
        errors = bodies.validate(module_schemas(RESOURCES[key].api_module), schema, body) if schema else []
        if key.startswith("pricebook."):
            errors += bodies.rules_errors(body, category_exists=self._category_exists)
        if errors:
            raise HttpError(400, "One or more validation errors occurred.", error_map(errors, bodies.pascal))
        return body

    def _category_exists(self, category_id: int) -> bool:
        return self.dataset.get("pricebook.categories", category_id) is not None

    def _category_ref(self, category_id: int) -> dict | None:
        record = self.dataset.get("pricebook.categories", category_id)
        return {"id": record["id"], "name": record["name"], "active": record["active"]} if record else None

    def _fields(self, key: str, body: dict, record_id=None) -> dict:
        shape = shape_of(key)
        fields = bodies.to_record_fields(shape, body, category=self._category_ref)
        if record_id is not None:
            self._keep_vendor_identity(key, record_id, fields)
        for name, value in fields.items():
            if isinstance(value, str) and shape.schemas.resolve(shape.properties[name]).get("format") == "date-time":
                try:
                    fields[name] = canonical(value)
                except ValueError:
                    raise HttpError(
                        400,
                        "One or more validation errors occurred.",
                        {bodies.pascal(name): [f"'{value}' is not a valid date"]},
                    ) from None
        return fields

    def _keep_vendor_identity(self, key: str, record_id, fields: dict) -> None:
        """A vendor in a request is named by `vendorId` only; ServiceTitan answers it with its own id and name, as
        the item had them."""
        current = self.dataset.get(key, record_id) or {}
        known = {
            vendor.get("vendorId"): vendor
            for vendor in [current.get("primaryVendor"), *(current.get("otherVendors") or [])]
            if isinstance(vendor, dict)
        }

        def named(vendor):
            if not isinstance(vendor, dict) or vendor.get("vendorId") not in known:
                return vendor
            before = known[vendor["vendorId"]]
            return {**vendor, "id": before.get("id"), "vendorName": before.get("vendorName")}

        if "primaryVendor" in fields:
            fields["primaryVendor"] = named(fields["primaryVendor"])
        if isinstance(fields.get("otherVendors"), list):
            fields["otherVendors"] = [named(vendor) for vendor in fields["otherVendors"]]

    def _require(self, key: str, record_id, field_name: str) -> None:
        if record_id is not None and self.dataset.get(key, record_id) is None:
            raise HttpError(
                400,
                "One or more validation errors occurred.",
                {bodies.pascal(field_name): [f"{field_name} {record_id} does not exist"]},
            )

    def do_update(self, request: Request, route: Route, match) -> Response:
        key = route.resource.key
        record_id = parse_id(match.group("id"))
        if self.dataset.get(key, record_id) is None:
            raise HttpError(404, "Not Found", {"id": [f"{route.resource.collection} {record_id} was not found"]})
        body = self._validated(request, key, "update")
        if key == MARKUP_TIERS:
            self._check_markup_tier(body, record_id)
        if key == DISCOUNTS_AND_FEES:
            self._check_discount_fee(body, self.dataset.get(key, record_id))
        fields = self._rate_sheet_fields(body) if key == RATE_SHEETS else self._fields(key, body, record_id)
        if key == "pricebook.categories" and "parentId" in body and body["parentId"] is not None:
            if body["parentId"] == record_id:
                raise HttpError(
                    400,
                    "One or more validation errors occurred.",
                    {"ParentId": ["A category cannot be its own parent"]},
                )
            self._require(key, body["parentId"], "parentId")
        for ref_key, ref_field in (("crm.customers", "customerId"), ("crm.locations", "locationId")):
            if key != ref_key and ref_field in body:
                self._require(ref_key, body[ref_field], ref_field)
        try:
            record = self.dataset.update(key, record_id, fields)
        except KeyError:
            raise HttpError(404, "Not Found") from None
        return Response(200, dumps(self._shaped_answer(key, "update", self.dataset.view(key, record, "get"))))

    @staticmethod
    def _check_discount_fee(body: dict, current: dict) -> None:
        """ServiceTitan's rules on a discount or fee: no negative amount or limit, a percentage up to 100."""
        errors: dict[str, list[str]] = {}
        for name in ("amount", "limit"):
            if isinstance(body.get(name), int | float) and body[name] < 0:
                errors[bodies.pascal(name)] = [f"{bodies.pascal(name)} must be greater than or equal to 0"]
        amount_type = body.get("amountType", current.get("amountType"))
        amount = body.get("amount", current.get("amount"))
        if amount_type == "Percentage" and isinstance(amount, int | float) and amount > 100:
            errors["Amount"] = ["A percentage amount must be between 0 and 100"]
        if errors:
            raise HttpError(400, "One or more validation errors occurred.", errors)

    def _rate_sheet_fields(self, body: dict) -> dict:
        """A rate sheet's PATCH replaces its exceptions; each names a SKU ServiceTitan has, whose type the record
        then shows (`skuType`: the request has none)."""
        exceptions, errors = [], {}
        for index, exception in enumerate(body.get("exceptions") or []):
            sku_type = self._sku_type(exception["skuId"])
            if sku_type is None:
                errors[f"Exceptions[{index}].SkuId"] = [f"SKU {exception['skuId']} does not exist"]
            exceptions.append({**exception, "skuType": sku_type or "Material"})
        if errors:
            raise HttpError(400, "One or more validation errors occurred.", errors)
        return {"exceptions": exceptions}

    def _sku_type(self, sku_id) -> str | None:
        for key, sku_type in SKU_TYPES.items():
            if self.dataset.get(key, sku_id) is not None:
                return sku_type
        return None

    def do_create(self, request: Request, route: Route, match) -> Response:
        key = route.resource.key
        body = self._validated(request, key, "create")
        if key == MARKUP_TIERS:
            self._check_markup_tier(body)
        if key == "crm.locations":
            self._require("crm.customers", body.get("customerId"), "customerId")
        if key == "jobs.jobs":
            self._require("crm.customers", body.get("customerId"), "customerId")
            self._require("crm.locations", body.get("locationId"), "locationId")
            if not body.get("appointments"):
                raise HttpError(
                    400,
                    "One or more validation errors occurred.",
                    {"Appointments": ["At least one appointment is required"]},
                )
        if key == "jobs.appointments":
            self._require("jobs.jobs", body.get("jobId"), "jobId")
        fields = self._fields(key, body)
        if "active" in shape_of(key).skeleton:
            fields.setdefault("active", True)
        with self.dataset.lock:
            # A pricebook item is created with what was sent, nothing invented (no price, vendor or category).
            record = self.dataset.insert(key, fields, generated=key not in AS_SENT_CREATES)
            answer = dict(self.dataset.view(key, record, "get"))
            if key == "crm.customers":
                answer["locations"] = []
                for location in body.get("locations") or []:
                    fields = {**self._fields("crm.locations", location), "customerId": record["id"], "active": True}
                    created = self.dataset.view("crm.locations", self.dataset.insert("crm.locations", fields), "get")
                    answer["locations"].append(
                        self._shaped_answer("crm.locations", "create", {**created, "contacts": []})
                    )
                answer["contacts"] = []
            elif key == "crm.locations":
                answer["contacts"] = []
            elif key == "jobs.jobs":
                record = self._add_job_appointments(record, body)
                answer = self.dataset.view(key, record, "get")
            elif key == "jobs.appointments":
                self._link_appointment(record)
        return Response(self._success_status(key, "create"), dumps(self._shaped_answer(key, "create", answer)))

    @staticmethod
    def _success_status(key: str, action: str) -> int:
        """The operation's success status as the spec declares it (201 for the pricebook's creates, else 200)."""
        return int(resource_schema_names(key).get(f"{action}.status", 200))

    def _shaped_answer(self, key: str, action: str, answer: dict) -> dict:
        """Keep only what the operation's answer schema declares (it forbids other properties)."""
        name = resource_schema_names(key).get(f"{action}.response")
        if not name:
            return answer
        schemas = module_schemas(RESOURCES[key].api_module)
        properties = schemas.item_schema(name).get("properties", {})
        shaped = {name: value for name, value in answer.items() if name in properties}
        if key == RATE_SHEETS and action == "update":
            # UpdateClientSpecificPricingExceptionResponse: {skuId, value, valueType}, nothing else.
            shaped["exceptions"] = [
                {k: e[k] for k in ("skuId", "value", "valueType") if k in e} for e in shaped.get("exceptions") or []
            ]
        return {"data": shaped} if schemas.is_record_envelope(name) else shaped

    def _add_job_appointments(self, job: dict, body: dict) -> dict:
        appointment_ids = []
        for appointment in body.get("appointments") or []:
            fields = self._fields("jobs.appointments", appointment if isinstance(appointment, dict) else {})
            fields.update(jobId=job["id"], customerId=job["customerId"], status="Scheduled", active=True)
            appointment_ids.append(self.dataset.insert("jobs.appointments", fields)["id"])
        return self.dataset.update(
            "jobs.jobs",
            job["id"],
            {
                "jobStatus": "Scheduled",
                "appointmentCount": len(appointment_ids),
                "firstAppointmentId": appointment_ids[0],
                "lastAppointmentId": appointment_ids[-1],
                "active": True,
            },
        )

    def _link_appointment(self, appointment: dict) -> None:
        job = self.dataset.get("jobs.jobs", appointment["jobId"])
        self.dataset.update(
            "jobs.appointments", appointment["id"], {"customerId": job["customerId"], "status": "Scheduled"}
        )
        self.dataset.update(
            "jobs.jobs",
            job["id"],
            {"appointmentCount": job["appointmentCount"] + 1, "lastAppointmentId": appointment["id"]},
        )

    def do_cancel(self, request: Request, route: Route, match) -> Response:
        record_id = parse_id(match.group("id"))
        job = self.dataset.get("jobs.jobs", record_id)
        if job is None:
            raise HttpError(404, "Not Found", {"id": [f"jobs {record_id} was not found"]})
        body = self._validated(request, "jobs.jobs", "cancel")
        self._require_reason("jobs.job-cancel-reasons", body.get("reasonId"))
        if job["jobStatus"] == "Canceled":
            raise HttpError(400, "One or more validation errors occurred.", {"Job": ["The job is already canceled"]})
        self.dataset.update("jobs.jobs", record_id, {"jobStatus": "Canceled", "active": False})
        return Response(200, b"")

    def do_hold(self, request: Request, route: Route, match) -> Response:
        record_id = parse_id(match.group("id"))
        job = self.dataset.get("jobs.jobs", record_id)
        if job is None:
            raise HttpError(404, "Not Found", {"id": [f"jobs {record_id} was not found"]})
        body = self._validated(request, "jobs.jobs", "hold")
        self._require_reason("jobs.job-hold-reasons", body.get("reasonId"))
        if job["jobStatus"] in ("Canceled", "Completed", "Hold"):
            raise HttpError(
                400,
                "One or more validation errors occurred.",
                {"Job": [f"A {job['jobStatus'].lower()} job cannot be put on hold"]},
            )
        self.dataset.update("jobs.jobs", record_id, {"jobStatus": "Hold"})
        return Response(200, b"")

    def _require_reason(self, key: str, reason_id) -> None:
        """A cancel or hold names one of the tenant's active reasons, as ServiceTitan insists."""
        reason = self.dataset.get(key, reason_id)
        if reason is None or not reason.get("active", True):
            raise HttpError(
                400, "One or more validation errors occurred.", {"ReasonId": [f"Reason {reason_id} does not exist"]}
            )

    def do_reschedule(self, request: Request, route: Route, match) -> Response:
        record_id = parse_id(match.group("id"))
        if self.dataset.get("jobs.appointments", record_id) is None:
            raise HttpError(404, "Not Found", {"id": [f"appointments {record_id} was not found"]})
        body = self._validated(request, "jobs.appointments", "reschedule")
        current = self.dataset.get("jobs.appointments", record_id)
        start, end = body.get("start") or current["start"], body.get("end") or current["end"]
        try:
            if canonical(start) >= canonical(end):
                raise HttpError(400, "One or more validation errors occurred.", {"End": ["End must be after start"]})
            fields = {
                name: canonical(body[name])
                for name in ("start", "end", "arrivalWindowStart", "arrivalWindowEnd")
                if body.get(name)
            }
        except ValueError:
            raise HttpError(400, "One or more validation errors occurred.", {"Start": ["Invalid date"]}) from None
        record = self.dataset.update("jobs.appointments", record_id, fields)
        return Response(200, dumps(self.dataset.view("jobs.appointments", record, "get")))

    def do_write(self, request: Request, route: Route, match) -> Response:
        raise HttpError(501, f"{route.resource.key} {route.action} is not simulated")

    # --- pricebook bulk and images -------------------------------------------------------------------------------
    BULK_KINDS = {
        "materials": "pricebook.materials",
        "services": "pricebook.services",
        "equipment": "pricebook.equipment",
    }

    def bulk(self, request: Request) -> Response:
        body = self._body(request)
        schemas = module_schemas("pricebook")
        bulk_schema = schemas.resolve(schemas.named("Pricebook.V2.PricebookBulkUpdateRequest"))
        errors: list[tuple[str, str]] = []
        updates: list[tuple[str, int, dict]] = []
        seen: set[tuple[str, int]] = set()
        for group, key in self.BULK_KINDS.items():
            items = body.get(group)
            if items is None:
                continue
            if not isinstance(items, list):
                errors.append((group, "An array is required."))
                continue
            item_schema = schemas.resolve(bulk_schema["properties"][group])["items"]
            for index, item in enumerate(items):
                path = f"{group}[{index}]"
                if not isinstance(item, dict):
                    errors.append((path, "An object is required."))
                    continue
                item_errors = bodies.validate(schemas, item_schema, item, path)
                if "id" not in item:
                    item_errors.append((f"{path}.id", "The id field is required."))
                item_errors += bodies.rules_errors(item, category_exists=self._category_exists, path=f"{path}.")
                errors += item_errors
                record_id = item.get("id")
                if not item_errors:
                    if self.dataset.get(key, record_id) is None:
                        errors.append((f"{path}.id", f"{group} {record_id} was not found"))
                    elif (key, record_id) in seen:
                        errors.append((f"{path}.id", f"{group} {record_id} appears twice"))
                    else:
                        seen.add((key, record_id))
                        updates.append((key, record_id, item))
        if errors:
            return problem(400, "One or more validation errors occurred.", error_map(errors))
        answer: dict[str, list] = {group: [] for group in self.BULK_KINDS}
        groups = {key: group for group, key in self.BULK_KINDS.items()}
        with self.dataset.lock:
            for key, record_id, item in updates:
                record = self.dataset.update(key, record_id, self._fields(key, item, record_id))
                answer[groups[key]].append(self.dataset.view(key, record, "get"))
        return Response(200, dumps(answer))

    def do_upload(self, request: Request, route: Route, match) -> Response:
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            raise HttpError(400, "One or more validation errors occurred.", {"file": ["A multipart body is required"]})
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + request.body
        )
        for part in message.iter_parts() if message.is_multipart() else ():
            if part.get_param("name", header="content-disposition") == "file":
                data = part.get_payload(decode=True) or b""
                filename = part.get_filename() or "upload"
                if not data:
                    break
                extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
                mime = part.get_content_type()
                if mime in ("application/octet-stream", "text/plain"):
                    mime = IMAGE_TYPES.get(extension, mime)
                path = f"Images/{uuid.uuid4()}.{extension}"
                with self._lock:
                    self.images[path] = (data, mime)
                return Response(201, dumps({"path": path}))
        raise HttpError(400, "One or more validation errors occurred.", {"file": ["The file part is required"]})

    def do_download(self, request: Request, route: Route, match) -> Response:
        path = request.param("path")
        if not path or self._image(path) is None:
            raise HttpError(404, "Not Found", {"path": [f"No image at {path!r}"]})
        host = request.headers.get("host", "127.0.0.1")
        return Response(302, b"", "text/plain", [("Location", f"http://{host}{FILES_PREFIX}{quote(path)}")])

    def _image(self, path: str) -> tuple[bytes, str] | None:
        found = self.images.get(path)
        if found is None and path.startswith("Images/Seed/"):
            found = (PLACEHOLDER_PNG, "image/png")
        return found

    # --- control -------------------------------------------------------------------------------------------------
    def control(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path.startswith(FILES_PREFIX) and method == "GET":
            found = self._image(unquote(path.removeprefix(FILES_PREFIX)))
            if found is None:
                raise HttpError(404, "Not Found")
            return Response(200, found[0], found[1])
        if path == "/_simulator/health" and method == "GET":
            body = {"status": "ok", "tenant": self.tenant_id, "scale": self.dataset.scale, "seed": self.dataset.seed}
            return Response(200, dumps(body))
        if path == "/_simulator/counts" and method == "GET":
            # Records and (for invoices and estimates) lines a resource holds now: what a full sync must mirror.
            key = request.param("resource")
            if key not in self.dataset.simulated_keys():
                raise HttpError(400, f"unknown resource {key!r}")
            body = {"records": len(self.dataset.collection(key).records)}
            if key in LINE_KEYS:
                body["lines"] = self.dataset.line_total(key)
            return Response(200, dumps(body))
        if path == "/_simulator/stats" and method == "GET":
            return Response(200, dumps(self.stats.snapshot()))
        if path == "/_simulator/reset-stats" and method == "POST":
            self.stats.reset()
            return Response(200, dumps({"status": "ok"}))
        if path == "/_simulator/faults" and method in ("GET", "POST"):
            if method == "POST":
                try:
                    self.faults.update(**self._body(request))
                except (ValueError, TypeError) as exc:
                    raise HttpError(400, str(exc)) from None
            return Response(200, dumps(self.faults.as_dict()))
        if path == "/_simulator/mutate" and method == "POST":
            body = self._body(request)
            key = body.get("resource")
            if key not in self.dataset.simulated_keys():
                raise HttpError(400, f"unknown resource {key!r}")
            counts = {name: int(body.get(name) or 0) for name in ("modify", "deactivate", "create", "delete")}
            return Response(200, dumps(self.dataset.mutate(key, **counts)))
        raise HttpError(404, "Not Found")


def _int_param(request: Request, name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
    raw = request.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum else f"at least {minimum}"
        raise HttpError(400, "One or more validation errors occurred.", {name: [f"{name} must be {bounds}."]})
    return value
