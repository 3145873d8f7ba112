"""The ServiceTitan HTTP client: one request path with auth, the shared budget and retries; pagers as generators.

Every request is an operation declared in `servicetitan.registry` (and, through `tests/servicetitan/test_registry.py`,
in ServiceTitan's OpenAPI specs), sent with only the query parameters that operation declares.
"""

from __future__ import annotations

import email.utils
import hashlib
import json as jsonlib
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import orjson
import requests
import urllib3.exceptions

from servicetitan.client.auth import TokenProvider
from servicetitan.client.config import MAX_PAGE_SIZE, ClientConfig
from servicetitan.client.errors import (
    ApiError,
    AuthenticationError,
    BadResponseError,
    ConfigurationError,
    ServerError,
    TransportError,
)
from servicetitan.client.ratelimit import Permit, RateLimiter, shared_rate_limiter, windows_from_rates
from servicetitan.logging import redact
from servicetitan.registry import Operation, Resource, get_resource

logger = logging.getLogger("servicetitan.client")

# Methods whose repetition does no harm. LAZI's PATCH/PUT set values (never increment), so they are safe to resend.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
# The token endpoint answers quickly; a stuck one should not hold the refresh lock for the API's 110 s.
TOKEN_READ_TIMEOUT = 30.0
# A file (an image) may sit behind a redirect or two on its storage host.
MAX_FILE_REDIRECTS = 5


@dataclass(frozen=True)
class ListPage:
    items: list[dict]
    page: int
    has_more: bool


@dataclass(frozen=True)
class ExportBatch:
    items: list[dict]
    continue_from: str
    has_more: bool


@dataclass
class ClientStats:
    """Counters of one client instance: requests sent to the API (retries included), retries, budget waits."""

    calls: int = 0
    retries: int = 0
    throttled: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def increment(self, counter: str) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {"calls": self.calls, "retries": self.retries, "throttled": self.throttled}


class _BrokenBody(Exception):
    """A success answer whose body is not what the operation returns (truncated, not JSON, wrong shape)."""


_DELAY_SECONDS = re.compile(r"^\d+(\.\d+)?$")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if _DELAY_SECONDS.match(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, base: float, maximum: float, rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with jitter: between half and all of min(maximum, base * 2^(attempt-1))."""
    ceiling = min(maximum, base * (2 ** (attempt - 1)))
    return ceiling / 2 + rng() * ceiling / 2


def format_datetime(value: datetime | date | str) -> str:
    """ServiceTitan's date-time query format: ISO 8601 in UTC with a Z (naive datetimes are taken as UTC)."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.isoformat()


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return format_datetime(value)
    return value


def _not_sent(error: requests.RequestException) -> bool:
    """True when the request provably never reached ServiceTitan: the connection itself failed."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(error, requests.exceptions.ConnectionError) and not isinstance(error, requests.exceptions.SSLError):
        reason = error.args[0] if error.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
        # NewConnectionError covers refused connections and failed DNS look-ups (NameResolutionError).
        return isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError)
    return False


# The answer arrived but broke off: the request did reach ServiceTitan.
ANSWER_BROKE_OFF = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)


def may_retry(*, idempotent: bool, error: Exception | None = None, status: int | None = None) -> bool:
    """Whether a failed exchange may be sent again (the attempts budget aside): `error` when no answer came, else the
    answer's `status` (a 2xx here is one whose body was broken).

    - no answer: an idempotent request always; any other only when it provably never left (`_not_sent`);
    - 429: always, even a POST: ServiceTitan refused it before doing any work;
    - other 4xx: never, the same request would be refused again;
    - 5xx, a broken body, an answer that broke off: idempotent requests only (a POST may have been carried out).
    """
    if error is not None:
        return idempotent or (not isinstance(error, ANSWER_BROKE_OFF) and _not_sent(error))
    if status == 429:
        return True
    if status is not None and 400 <= status < 500:
        return False
    return idempotent


def _parse_json(response: requests.Response) -> Any:
    content = response.content
    if not content.strip():
        return None
    try:
        # orjson parses a 5,000-record page several times faster; the standard parser covers what it refuses.
        return orjson.loads(content)
    except ValueError:
        pass
    try:
        return jsonlib.loads(content)
    except ValueError:
        raise _BrokenBody(f"the body is not valid JSON ({len(content)} bytes)") from None


def _parse_page(response: requests.Response) -> dict:
    """A list page: `data` must be a list; a missing or null `hasMore` is left to the pager to infer."""
    body = _parse_json(response)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise _BrokenBody("the body is not a page ({page, pageSize, hasMore, data})")
    return body


def _parse_export(response: requests.Response) -> dict:
    """An export batch: `data` must be a list; `hasMore` and `continueFrom` are checked by the pager."""
    body = _parse_json(response)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise _BrokenBody("the body is not an export batch ({hasMore, continueFrom, data})")
    return body


def _raw(response: requests.Response) -> requests.Response:
    return response


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


class _ApiSession(requests.Session):
    """`requests.Session`, except that a redirect to another host drops the `ST-App-Key` header too: `requests` drops
    only `Authorization` there, and the app key is as much a credential."""

    def rebuild_auth(self, prepared_request, response):
        if "ST-App-Key" in prepared_request.headers and self.should_strip_auth(
            response.request.url, prepared_request.url
        ):
            del prepared_request.headers["ST-App-Key"]
        super().rebuild_auth(prepared_request, response)


class ServiceTitanClient:
    """ServiceTitan's v2 API for one tenant. Thread-safe; the token and the budget are shared across processes.

    `sleep` is what every wait (backoff, Retry-After, token lock) calls: tests pass a recorder. `limiter` replaces
    the deployment's shared budget (tests pass their own).
    """

    def __init__(
        self,
        config: ClientConfig | None = None,
        *,
        session: requests.Session | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        cache=None,
        rng: Callable[[], float] = random.random,
    ):
        self.config = config or ClientConfig.from_settings()
        self.tenant_id = self.config.tenant_id
        self.stats = ClientStats()
        self._session = session or _ApiSession()
        self._sleep = sleep
        self._rng = rng
        if limiter is None:
            app = hashlib.sha256(self.config.client_id.encode()).hexdigest()[:12]
            limiter = shared_rate_limiter(
                f"lazi:st:budget:{self.tenant_id}:{app}",
                windows_from_rates(self.config.rate_per_second, self.config.rate_per_minute, self.config.rate_per_hour),
                self.config.max_concurrency,
                redis_url=self.config.redis_url,
                lease=self.config.connect_timeout + self.config.read_timeout + 30,
            )
        self._limiter = limiter
        self._tokens = TokenProvider(
            self._fetch_token,
            # Keyed by the credentials it was issued for: a changed secret (or client, or auth URL) takes effect at
            # once instead of reusing the old token. Only a hash reaches the key.
            # The tenant is part of it: one application's token is never handed to another tenant's requests.
            namespace=f"{self.tenant_id}|{self.config.auth_url}|{self.config.client_id}|{self.config.client_secret}",
            cache=cache,
            sleep=sleep,
            lock_timeout=self.config.connect_timeout + TOKEN_READ_TIMEOUT + 5,
        )

    def __repr__(self) -> str:
        return f"<ServiceTitanClient tenant={self.tenant_id} api={self.config.api_url}>"

    def authenticate(self, *, fresh: bool = False) -> None:
        """Make sure a valid token is at hand (`fresh`: fetch a new one, which proves the credentials work)."""
        if fresh:
            self._tokens.renew_now()
        else:
            self._tokens.get()

    # --- reads --------------------------------------------------------------------------------------------------------

    def get(self, key: str, st_id: int) -> dict:
        """One record by id (the resource's get_path)."""
        resource = get_resource(key)
        if not resource.get_operation:
            raise ValueError(f"{key} has no get endpoint in the registry")
        return self._call(resource, resource.get_operation, path_params={"id": st_id})

    def iter_pages(
        self,
        key: str,
        *,
        modified_on_or_after: datetime | None = None,
        include_inactive: bool = True,
        page_size: int | None = None,
        params: dict | None = None,
    ) -> Iterator[ListPage]:
        """The list endpoint page by page (from page 1, no page cap); one request per page, only when asked for."""
        resource = get_resource(key)
        operation = resource.list_operation
        if operation is None:
            raise ValueError(f"{key} has no list endpoint in the registry")
        query = dict(params or {})
        query["pageSize"] = min(MAX_PAGE_SIZE, max(1, page_size or self.config.page_size))
        if modified_on_or_after is not None:
            if not resource.modified_filter:
                raise ValueError(f"{key}'s list endpoint has no change filter")
            query[resource.modified_filter] = format_datetime(modified_on_or_after)
        if include_inactive and resource.include_inactive:
            name, value = resource.include_inactive
            query[name] = value
        page = 1
        while True:
            query["page"] = page
            body = self._call(resource, operation, params=query, parse=_parse_page)
            has_more = body.get("hasMore")
            if has_more is None:
                # Without hasMore, a full page may have a next one (an empty page then ends the list).
                has_more = len(body["data"]) >= query["pageSize"]
            has_more = bool(has_more)
            yield ListPage(items=body["data"], page=page, has_more=has_more)
            if not has_more:
                return
            page += 1

    def iter_export(self, key: str, *, from_token: str | None = None) -> Iterator[ExportBatch]:
        """The export feed batch by batch, from `from_token` (None: from the beginning) until hasMore is false."""
        resource = get_resource(key)
        operation = resource.export_operation
        if operation is None:
            raise ValueError(f"{key} has no export endpoint in the registry")
        token = from_token
        while True:
            query = {"from": token} if token else {}
            body = self._call(resource, operation, params=query, parse=_parse_export)
            continue_from = body.get("continueFrom")
            batch = ExportBatch(
                items=body["data"],
                continue_from="" if continue_from is None else str(continue_from),
                has_more=bool(body.get("hasMore")),
            )
            yield batch
            if not batch.has_more:
                return
            if not batch.continue_from:
                # Asking again without `from` would start the export over, for ever: stop, the stored batches kept.
                raise BadResponseError(
                    f"GET {resource.prefix}{self._fill_path(operation.path, None)}: the export answered hasMore "
                    "without a continueFrom token to go on from",
                    status=200,
                )
            if batch.continue_from == token and not batch.items:
                return  # the same token again and nothing new: caught up, whatever hasMore says
            token = batch.continue_from

    # --- writes -------------------------------------------------------------------------------------------------------

    def update(self, key: str, st_id: int, body: dict) -> dict:
        """PATCH the resource's `update` operation; returns ServiceTitan's answer."""
        return self.call(key, "update", st_id=st_id, json=body)

    def create(self, key: str, body: dict) -> dict:
        """POST the resource's `create` operation (never resent unless it provably did not reach ServiceTitan)."""
        return self.call(key, "create", json=body)

    def call(
        self,
        key: str,
        op_name: str,
        *,
        st_id: int | None = None,
        json: Any = None,
        params: dict | None = None,
        files: dict | None = None,
        raw: bool = False,
        allow_redirects: bool = True,
    ) -> Any:
        """Any named write of a resource (`cancel`, `reschedule`, `pricebook.bulk`'s `update`, …). `raw`: the
        `requests.Response` itself rather than its JSON (a file, a redirect with `allow_redirects=False`)."""
        resource = get_resource(key)
        operation = resource.writes.get(op_name)
        if operation is None:
            known = ", ".join(sorted(resource.writes)) or "none"
            raise ValueError(f"{key} has no {op_name!r} operation in the registry (it has: {known})")
        path_params = {"id": st_id} if st_id is not None else None
        return self._call(
            resource,
            operation,
            path_params=path_params,
            params=params,
            json=json,
            files=files,
            parse=_raw if raw else _parse_json,
            allow_redirects=allow_redirects,
        )

    def get_file(self, url: str) -> requests.Response:
        """GET a file a ServiceTitan answer pointed to (a redirect's `Location`), through the same retries. Credentials
        go only to ServiceTitan itself, never to the storage host the file lives on: redirects are followed here, hop
        by hop (`requests` would carry the ST-App-Key header along to another host)."""
        for _ in range(MAX_FILE_REDIRECTS + 1):
            api = _origin(url) == _origin(self.config.api_url)
            response = self._perform(
                "GET", url, label="GET <file>", api=api, parse=_raw, allow_redirects=False, accept="*/*"
            )
            if not (response.is_redirect and response.headers.get("Location")):
                return response
            url = urljoin(response.url or url, response.headers["Location"])
        raise BadResponseError(f"GET <file>: more than {MAX_FILE_REDIRECTS} redirects", status=response.status_code)

    # --- the request path ---------------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        resource_or_key: Resource | str,
        op_path: str,
        *,
        path_params: dict | None = None,
        params: dict | None = None,
        json: Any = None,
        files: dict | None = None,
    ) -> Any:
        """A declared operation of a resource by method and path (relative to the module root, with `{tenant}`)."""
        resource = get_resource(resource_or_key) if isinstance(resource_or_key, str) else resource_or_key
        method = method.upper()
        for operation in resource.operations():
            if operation.method == method and operation.path == op_path:
                break
        else:
            raise ValueError(f"{method} {op_path} is not an operation of {resource.key} in the registry")
        return self._call(resource, operation, path_params=path_params, params=params, json=json, files=files)

    def _call(
        self,
        resource: Resource,
        operation: Operation,
        *,
        path_params: dict | None = None,
        params: dict | None = None,
        json: Any = None,
        files: dict | None = None,
        parse: Callable[[requests.Response], Any] = _parse_json,
        allow_redirects: bool = True,
    ) -> Any:
        query = {name: _query_value(value) for name, value in (params or {}).items() if value is not None}
        undeclared = sorted(set(query) - set(operation.query))
        if undeclared:
            # The specs test vouches only for declared parameters; anything else might be ignored or refused.
            raise ValueError(
                f"{operation.method} {resource.key}: query parameter(s) {', '.join(undeclared)} not declared in the "
                f"registry (declared: {', '.join(operation.query) or 'none'})"
            )
        if files and not operation.multipart:
            raise ValueError(f"{operation.method} {resource.key} {operation.path} is not a multipart upload")
        path = self._fill_path(operation.path, path_params)
        url = f"{self.config.api_url}{resource.prefix}{path}"
        label = f"{operation.method} {resource.prefix}{path}" + (f"?{urlencode(query)}" if query else "")
        return self._perform(
            operation.method,
            url,
            label=label,
            params=query or None,
            json=json,
            files=files,
            parse=parse,
            allow_redirects=allow_redirects,
        )

    def _fill_path(self, template: str, path_params: dict | None) -> str:
        values = {"tenant": self.tenant_id, **(path_params or {})}
        try:
            return template.format(**{name: str(value) for name, value in values.items()})
        except KeyError as exc:
            raise ValueError(f"{template} needs path parameter {exc.args[0]!r}") from None

    def _perform(
        self,
        method: str,
        url: str,
        *,
        label: str,
        api: bool = True,
        params: dict | None = None,
        json: Any = None,
        data: dict | None = None,
        files: dict | None = None,
        parse: Callable[[requests.Response], Any] = _parse_json,
        allow_redirects: bool = True,
        idempotent: bool | None = None,
        read_timeout: float | None = None,
        accept: str = "application/json",
    ) -> Any:
        """Send with retries. `api` requests carry the token and app key, use the budget and count in `stats`."""
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        timeout = (self.config.connect_timeout, read_timeout or self.config.read_timeout)
        attempt = 0
        reauthenticated = False
        while True:
            attempt += 1
            response, error, token, elapsed_ms = self._send_once(
                method,
                url,
                api=api,
                params=params,
                json=json,
                data=data,
                files=files,
                timeout=timeout,
                allow_redirects=allow_redirects,
                accept=accept,
            )
            status = delay = None
            if error is not None:
                outcome = type(error).__name__
                if isinstance(error, ANSWER_BROKE_OFF):
                    failure: Exception = BadResponseError(f"{label}: the answer broke off ({outcome})")
                else:
                    failure = TransportError(f"{label}: {outcome}: {_short(redact(str(error)))}")
            else:
                status = response.status_code
                outcome = str(status)
                if status == 401 and api and not reauthenticated:
                    # An expired or revoked token: one fresh token and one more try, which uses up no attempt.
                    self._log(logging.WARNING, label, "401, renewing the token", elapsed_ms, attempt)
                    reauthenticated = True
                    attempt -= 1
                    self._tokens.refresh(rejected=token)
                    continue
                # ServiceTitan's Retry-After (429, sometimes 503) says when to come back; otherwise back off.
                delay = parse_retry_after(response.headers.get("Retry-After"))
                if status == 429 and api and delay:
                    # ServiceTitan counts per app and tenant: every process of this deployment holds back.
                    self._limiter.pause(delay)
                if status < 400:
                    try:
                        result = parse(response)
                    except _BrokenBody as exc:
                        failure = BadResponseError(f"{label}: {exc}", status=status)
                        outcome = f"{status} (broken body)"
                    else:
                        self._log(logging.DEBUG, label, outcome, elapsed_ms, attempt)
                        return result
                else:
                    failure = ApiError.from_response(status, response.content, method=method, path=label)
            retryable = may_retry(idempotent=idempotent, error=error, status=status)
            if status is not None and 400 <= status < 500 and not retryable:
                # A refusal (bad request, not found, …): said once, not retried.
                self._log(logging.WARNING, label, outcome, elapsed_ms, attempt)
                raise failure
            if not retryable or attempt >= self.config.max_attempts:
                self._log(logging.WARNING, label, f"{outcome}, giving up", elapsed_ms, attempt)
                raise failure from None
            if delay is None:
                delay = backoff_delay(attempt, self.config.backoff_base, self.config.backoff_max, self._rng)
            self._log(logging.WARNING, label, f"{outcome}, retrying in {delay:.2f} s", elapsed_ms, attempt)
            if api:
                self.stats.increment("retries")
            self._sleep(delay)

    def _send_once(self, method: str, url: str, *, api: bool, accept: str = "application/json", **kwargs) -> tuple:
        """One HTTP exchange: (response or None, exception or None, the token used, milliseconds taken)."""
        permit = self._limiter.acquire() if api else Permit()
        if permit.waited:
            self.stats.increment("throttled")
        headers = {"Accept": accept}
        token = response = error = None
        started = time.monotonic()
        try:
            if api:
                # Taken after the budget's wait, so a long wait cannot hand ServiceTitan an expired token.
                token = self._tokens.get()
                headers["Authorization"] = f"Bearer {token}"
                headers["ST-App-Key"] = self.config.app_key
                self.stats.increment("calls")
            response = self._session.request(method, url, headers=headers, **kwargs)
        except requests.RequestException as exc:
            error = exc
        finally:
            permit.release()
        return response, error, token, (time.monotonic() - started) * 1000

    def _log(self, level: int, label: str, outcome: str, elapsed_ms: float, attempt: int) -> None:
        logger.log(level, "ServiceTitan %s -> %s in %.0f ms (attempt %d)", label, outcome, elapsed_ms, attempt)

    # --- the token ----------------------------------------------------------------------------------------------------

    def _fetch_token(self) -> tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
        }
        try:
            body = self._perform(
                "POST",
                self.config.token_url,
                label="POST /connect/token",
                api=False,
                data=form,
                idempotent=True,  # asking twice only mints another token
                read_timeout=TOKEN_READ_TIMEOUT,
                parse=_parse_token,
            )
        except ApiError as exc:
            if isinstance(exc, ServerError) or exc.status == 429:
                raise
            raise AuthenticationError(
                exc.status,
                title=(
                    f"ServiceTitan refused the client credentials (HTTP {exc.status}); check "
                    "SERVICE_TITAN_CLIENT_ID, SERVICE_TITAN_CLIENT_SECRET and SERVICE_TITAN_AUTH_URL"
                ),
                method="POST",
                path="/connect/token",
            ) from None
        return body["access_token"], body["expires_in"]


def _parse_token(response: requests.Response) -> dict:
    body = _parse_json(response)
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) or not body["access_token"]:
        raise _BrokenBody("the token answer has no access_token")
    try:
        lifetime = float(body.get("expires_in") or 900)
    except (TypeError, ValueError):
        lifetime = 900.0  # ServiceTitan's tokens live 15 minutes
    return {"access_token": body["access_token"], "expires_in": max(1.0, lifetime)}


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def get_client(tenant_id: int | None = None) -> ServiceTitanClient:
    """A client for one tenant: None is the default tenant, exactly the SERVICE_TITAN_* settings (no `Tenant` row
    needed); a ServiceTitan tenant id is that tenant's credentials and budget. ConfigurationError says what is missing
    (never a value)."""
    if tenant_id is None or _is_settings_tenant(tenant_id):
        config = ClientConfig.from_settings()
        if tenant_id is None or not _has_own_secrets(tenant_id):
            return ServiceTitanClient(config)
    from tenants.selectors import client_config_for, tenant_by_st_id

    tenant = tenant_by_st_id(int(tenant_id))
    if tenant is None:
        ClientConfig.from_settings()  # unconfigured: its error names the SERVICE_TITAN_* variables to set
        raise ConfigurationError(
            f"No tenant with ServiceTitan tenant id {tenant_id} is configured (add it under Tenants in the admin)."
        )
    return ServiceTitanClient(client_config_for(tenant))


def _is_settings_tenant(tenant_id: int) -> bool:
    from django.conf import settings

    return str((getattr(settings, "SERVICE_TITAN", None) or {}).get("TENANT_ID") or "").strip() == str(tenant_id)


def _has_own_secrets(tenant_id: int) -> bool:
    """Whether the settings' tenant has a row with its own stored secret (it then overrides SERVICE_TITAN_*)."""
    from tenants.models import Tenant

    return Tenant.objects.filter(st_tenant_id=tenant_id).exclude(client_secret_encrypted="").exists()
