"""Inbound ServiceTitan webhooks: `POST /webhooks/servicetitan/`.

Authentication: the signature header (`SERVICE_TITAN_WEBHOOK_SIGNATURE_HEADER`, default `X-ServiceTitan-Signature`)
carries the HMAC-SHA256 of the raw request body keyed with `SERVICE_TITAN_WEBHOOK_SECRET`, encoded in base64 (hex is
accepted too; an optional `sha256=` prefix is ignored). It is compared in constant time. Without a configured secret
every webhook is refused (403): an unauthenticated endpoint that starts syncs would be an open door. HMAC is optional
in ServiceTitan's V2 webhooks; it is turned off only by `SERVICE_TITAN_WEBHOOK_HMAC=false`, never by a missing secret.

Replays: an event with an id (`eventId` in the body, or the `X-ServiceTitan-Event-Id` header) is processed once
however often it is delivered (ServiceTitan retries at 10, 30, 60 and 300 s); a delivery whose timestamp (`timestamp`
/ `eventTime` in the body, or `X-ServiceTitan-Timestamp`), when present, is further than
`SERVICE_TITAN_WEBHOOK_MAX_AGE_SECONDS` from now is refused. Deliveries lost beyond the last retry are covered by the
scheduled incremental syncs; the sync status page shows when the last webhook of each entity arrived.

The event type is taken from the `X-ServiceTitan-Event` header, else the body's `eventType` / `event` / `type`
(e.g. `pricebook.material.updated`, `customer.created`, `job.completed`). An authentic event queues an incremental
sync of the entity it names (`pricebook.material.*` → `pricebook.materials`, `customer.*` → `crm.customers`,
`job.*` → `jobs.jobs`) once the event's log row is committed; the webhook does not carry data LAZI trusts beyond that.

Every webhook is logged as a `WebhookEvent` (refused ones too, so a misconfigured sender can be diagnosed, but
without their body: its size and SHA-256 only); the secret and the signature are never stored. The log is deleted
after `LAZI_LOG_RETENTION_DAYS` (see `servicetitan.retention`).

Tenants: `/webhooks/servicetitan/<tenant name or ServiceTitan id>/` is that tenant's; on `/webhooks/servicetitan/` a
body `tenantId` names it, else it is the default tenant's. A delivery naming no known (active) tenant is refused and
logged like one with a wrong signature, with the same answer (403, "missing or invalid <signature header>"): a
request that is not authenticated — unknown tenant, tenant without a key, missing or wrong signature — cannot tell
which tenants exist. The log keeps the precise reason. Each tenant's deliveries are checked with its own webhook
key (set in the admin; the default tenant falls back to SERVICE_TITAN_WEBHOOK_SECRET) and queue that tenant's sync.
Event ids are kept per tenant (another tenant's event id is stored prefixed with its ServiceTitan id).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from servicetitan.conversions import plain_id, utc_datetime
from servicetitan.models import WebhookEvent
from servicetitan.sync.services import QueueUnavailable, enqueue_sync
from servicetitan.sync.streams import all_streams

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ServiceTitan-Signature"  # the default of SERVICE_TITAN_WEBHOOK_SIGNATURE_HEADER
EVENT_HEADER = "X-ServiceTitan-Event"
EVENT_KEYS = ("eventType", "event", "type")
EVENT_ID_HEADER = "X-ServiceTitan-Event-Id"
EVENT_ID_KEYS = ("eventId", "webhookEventId")
TIMESTAMP_HEADER = "X-ServiceTitan-Timestamp"
TIMESTAMP_KEYS = ("timestamp", "eventTime")
# Webhooks are notifications, not data transfers: anything bigger is refused unread.
MAX_BODY_BYTES = 256 * 1024


def webhook_secret() -> str:
    return settings.SERVICE_TITAN.get("WEBHOOK_SECRET") or ""


def _tenant_secret(tenant) -> str:
    if tenant is None:
        return webhook_secret()
    from tenants.selectors import webhook_key_for

    return webhook_key_for(tenant)


TENANT_KEYS = ("tenantId", "tenant")


def _text(value: str, limit: int) -> str:
    # PostgreSQL's text holds no NUL character: a delivery carrying one is still logged, without it.
    return value.replace("\x00", "")[:limit]


def _delivery_tenant(in_url: str | None, payload) -> tuple:
    """The tenant a delivery is for: the one its URL names, else its body's `tenantId`, else the default one (None
    when no tenant is configured at all: the SERVICE_TITAN_* settings alone). Returns (tenant, problem)."""
    from tenants.models import Tenant
    from tenants.selectors import default_tenant

    if in_url is not None:
        value = in_url.strip()
        tenant = Tenant.objects.filter(name=_text(value, 200)).first()
        if tenant is None and (number := plain_id(value)) is not None:
            tenant = Tenant.objects.filter(st_tenant_id=number).first()
        if tenant is None or not tenant.active:
            return None, "unknown tenant in the webhook URL"
        return tenant, ""
    default = default_tenant()
    named = next((payload[key] for key in TENANT_KEYS if isinstance(payload, dict) and key in payload), None)
    if named in (None, ""):
        return default, ""
    if (number := plain_id(named)) is not None:
        tenant = Tenant.objects.filter(st_tenant_id=number, active=True).first()
        if tenant is not None:
            return tenant, ""
    return None, "unknown tenant in the webhook body"


def signature_header() -> str:
    return settings.SERVICE_TITAN.get("WEBHOOK_SIGNATURE_HEADER") or SIGNATURE_HEADER


def unauthenticated_reason() -> str:
    """What a delivery that is not authenticated is told, whatever the cause."""
    return f"missing or invalid {signature_header()}"


# Checked against when a delivery names no known tenant (no delivery can be signed with it: it is never shared).
_UNKNOWN_TENANT_KEY = "lazi-unknown-tenant-" + hashlib.sha256(b"lazi webhook: no such tenant").hexdigest()


def hmac_required() -> bool:
    return settings.SERVICE_TITAN.get("WEBHOOK_HMAC", True) is not False


def max_age() -> datetime.timedelta | None:
    seconds = settings.SERVICE_TITAN.get("WEBHOOK_MAX_AGE_SECONDS", 900)
    return datetime.timedelta(seconds=seconds) if seconds else None


def signature_is_valid(body: bytes, signature: str, secret: str) -> bool:
    """Whether `signature` is the base64 (or hex) HMAC-SHA256 of `body` keyed with `secret`."""
    if not secret or not signature:
        return False
    signature = signature.strip().removeprefix("sha256=")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    for decode in (base64.b64decode, bytes.fromhex):
        try:
            given = decode(signature)
        except (ValueError, binascii.Error):
            continue
        if hmac.compare_digest(given, expected):
            return True
    return False


def _singular(word: str) -> str:
    word = word.lower().replace("-", "").replace("_", "")
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word.removesuffix("s")


def target_for_event(event_type: str) -> str | None:
    """The sync target an event names: `[module.]entity.action` → the stream of that entity, or None."""
    parts = [p for p in event_type.strip().lower().split(".") if p]
    if len(parts) < 2:
        return None
    *entity_path, _action = parts
    entity = _singular(entity_path[-1])
    module = entity_path[0] if len(entity_path) > 1 else None
    matches = [
        key
        for key in all_streams()
        if _singular(key.split(".", 1)[1]) == entity and (module is None or key.split(".", 1)[0] == module)
    ]
    return matches[0] if len(matches) == 1 else None


def _event_type(request: HttpRequest, payload) -> str:
    if request.headers.get(EVENT_HEADER):
        return _text(request.headers[EVENT_HEADER], 200)
    if isinstance(payload, dict):
        for key in EVENT_KEYS:
            if isinstance(payload.get(key), str):
                return _text(payload[key], 200)
    return ""


def _parse(body: bytes):
    try:
        return json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return None


def _first(request: HttpRequest, payload, header: str, keys: tuple[str, ...]):
    if request.headers.get(header):
        return request.headers[header]
    if isinstance(payload, dict):
        for key in keys:
            if payload.get(key) not in (None, ""):
                return payload[key]
    return None


def _event_time(value) -> datetime.datetime | bool | None:
    """A delivery's timestamp (ISO 8601, or seconds since the epoch); None when absent, False when unreadable."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            return False
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return _event_time(int(value.strip()))
    parsed = utc_datetime(value)
    return parsed if parsed is not None else False


def receive_webhook(
    *,
    body: bytes,
    signature: str,
    event_type: str,
    payload,
    remote_addr: str | None,
    event_id: str = "",
    timestamp=None,
    tenant=None,
    tenant_problem: str = "",
) -> WebhookEvent:
    """Log one webhook and, when authentic, new and about an entity LAZI mirrors, queue its incremental sync on
    commit (for `tenant`, a `tenants.Tenant`; None: the SERVICE_TITAN_* tenant). A refused delivery is logged without
    its body (its size and SHA-256 only). `tenant_problem`: the delivery names no known tenant (refused, logged with
    that reason, the same way as a bad signature)."""
    event_id = str(event_id or "")
    if event_id and tenant is not None and not tenant.is_default:
        event_id = f"{tenant.st_tenant_id}:{event_id}"  # event ids are unique per tenant, not across tenants
    event = WebhookEvent(
        event_type=event_type,
        remote_addr=remote_addr,
        body_bytes=len(body),
        body_sha256=hashlib.sha256(body).hexdigest(),
        event_id=_text(event_id, 200),
    )
    # An unknown tenant has no key: nothing can be authentic (the HMAC is still computed, against a throwaway key,
    # so the answer takes as long as for a tenant that exists).
    secret = _tenant_secret(tenant) if not tenant_problem else ""
    event.signature_valid = signature_is_valid(body, signature, secret or _UNKNOWN_TENANT_KEY) and bool(secret)
    when = _event_time(timestamp)
    window = max_age()
    if tenant_problem:
        event.status, event.error = WebhookEvent.Status.REJECTED, tenant_problem
    elif hmac_required() and not secret:
        missing = (
            f"tenant {tenant.name} has no webhook key (set it in the admin)"
            if tenant is not None and not tenant.is_default
            else "SERVICE_TITAN_WEBHOOK_SECRET is not set"
        )
        event.status, event.error = WebhookEvent.Status.REJECTED, missing
    elif hmac_required() and not event.signature_valid:
        event.status, event.error = WebhookEvent.Status.REJECTED, f"missing or invalid {signature_header()}"
    elif when is False:
        event.status, event.error = WebhookEvent.Status.REJECTED, "unreadable timestamp"
    elif when is not None and window is not None and abs(timezone.now() - when) > window:
        event.event_time = when
        event.status = WebhookEvent.Status.REJECTED
        event.error = f"timestamp {when.isoformat()} is outside the accepted window of {window.total_seconds():.0f} s"
    else:
        event.event_time = when
        event.payload = payload
        target = target_for_event(event_type)
        if target is None:
            event.status = WebhookEvent.Status.IGNORED
            event.error = f"no mirrored entity for event type {event_type!r}"
        else:
            event.status, event.targets = WebhookEvent.Status.QUEUED, [target]
    try:
        with transaction.atomic():
            event.save()
            if event.status == WebhookEvent.Status.QUEUED:
                enqueue_sync(
                    event.targets,
                    full=False,
                    triggered_by=f"webhook:{event.pk}",
                    tenant_id=tenant.st_tenant_id if tenant is not None else None,
                )
    except IntegrityError:
        # This event id was accepted before (or by a concurrent delivery): logged, nothing done twice.
        event.pk = None
        event.status, event.targets = WebhookEvent.Status.DUPLICATE, []
        event.error = f"event {event.event_id} was already received"
        event.save()
    except QueueUnavailable as exc:
        # Not accepted, so ServiceTitan's retry (answered 503) is processed rather than taken for a duplicate.
        event.pk = None
        event.status, event.targets, event.payload = WebhookEvent.Status.REJECTED, [], None
        event.error = str(exc)
        event.save()
        event.queue_unavailable = True
    return event


@csrf_exempt
@require_POST
def servicetitan_webhook(request: HttpRequest, tenant: str | None = None) -> JsonResponse:
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"detail": "body too large"}, status=413)
    payload = _parse(request.body)
    chosen, problem = _delivery_tenant(tenant, payload)
    event = receive_webhook(
        tenant=chosen,
        tenant_problem=problem,
        body=request.body,
        signature=request.headers.get(signature_header(), ""),
        event_type=_event_type(request, payload),
        payload=payload,
        remote_addr=request.META.get("REMOTE_ADDR") or None,
        event_id=_first(request, payload, EVENT_ID_HEADER, EVENT_ID_KEYS) or "",
        timestamp=_first(request, payload, TIMESTAMP_HEADER, TIMESTAMP_KEYS),
    )
    if getattr(event, "queue_unavailable", False):
        return JsonResponse({"detail": event.error, "event": event.pk}, status=503)
    if event.status == WebhookEvent.Status.REJECTED:
        logger.warning(
            "ServiceTitan webhook %s refused: %s (body %d bytes, sha256 %s)",
            event.pk,
            event.error,
            event.body_bytes,
            event.body_sha256,
        )
        # Not authenticated (an unknown tenant, a tenant without a key, a missing or wrong signature): one answer for
        # all, so an unsigned request cannot tell which tenants exist; the precise reason is in the log (and above).
        reason = event.error if event.signature_valid or not hmac_required() else unauthenticated_reason()
        return JsonResponse({"detail": "delivery refused", "reason": reason, "event": event.pk}, status=403)
    status = 202 if event.status == WebhookEvent.Status.QUEUED else 200
    return JsonResponse({"event": event.pk, "status": event.status, "targets": event.targets}, status=status)
