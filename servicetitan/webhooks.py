"""Inbound ServiceTitan webhooks: `POST /webhooks/servicetitan/`.

Authentication: the header `X-ServiceTitan-Signature` carries the HMAC-SHA256 of the raw request body keyed with
`SERVICE_TITAN_WEBHOOK_SECRET`, encoded in base64 (hex is accepted too; an optional `sha256=` prefix is ignored).
It is compared in constant time. Without a configured secret every webhook is refused (403): an unauthenticated
endpoint that starts syncs would be an open door.

The event type is taken from the `X-ServiceTitan-Event` header, else the body's `eventType` / `event` / `type`
(e.g. `pricebook.material.updated`, `customer.created`, `job.completed`). An authentic event queues an incremental
sync of the entity it names (`pricebook.material.*` → `pricebook.materials`, `customer.*` → `crm.customers`,
`job.*` → `jobs.jobs`) once the event's log row is committed; the webhook does not carry data LAZI trusts beyond that.

Every webhook is logged as a `WebhookEvent` (refused ones too, so a misconfigured sender can be diagnosed); the
secret and the signature are never stored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from servicetitan.models import WebhookEvent
from servicetitan.sync.services import enqueue_sync
from servicetitan.sync.streams import all_streams

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ServiceTitan-Signature"
EVENT_HEADER = "X-ServiceTitan-Event"
EVENT_KEYS = ("eventType", "event", "type")
# Webhooks are notifications, not data transfers: anything bigger is refused unread.
MAX_BODY_BYTES = 256 * 1024


def webhook_secret() -> str:
    return settings.SERVICE_TITAN.get("WEBHOOK_SECRET") or ""


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
        return request.headers[EVENT_HEADER][:200]
    if isinstance(payload, dict):
        for key in EVENT_KEYS:
            if isinstance(payload.get(key), str):
                return payload[key][:200]
    return ""


def _parse(body: bytes):
    try:
        return json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return None


def receive_webhook(*, body: bytes, signature: str, event_type: str, payload, remote_addr: str | None) -> WebhookEvent:
    """Log one webhook and, when authentic and about an entity LAZI mirrors, queue its incremental sync on commit."""
    event = WebhookEvent(event_type=event_type, payload=payload, remote_addr=remote_addr)
    secret = webhook_secret()
    event.signature_valid = signature_is_valid(body, signature, secret)
    if not secret:
        event.status, event.error = WebhookEvent.Status.REJECTED, "SERVICE_TITAN_WEBHOOK_SECRET is not set"
    elif not event.signature_valid:
        event.status, event.error = WebhookEvent.Status.REJECTED, f"missing or invalid {SIGNATURE_HEADER}"
    else:
        target = target_for_event(event_type)
        if target is None:
            event.status = WebhookEvent.Status.IGNORED
            event.error = f"no mirrored entity for event type {event_type!r}"
        else:
            event.status, event.targets = WebhookEvent.Status.QUEUED, [target]
    with transaction.atomic():
        event.save()
        if event.status == WebhookEvent.Status.QUEUED:
            enqueue_sync(event.targets, full=False, triggered_by=f"webhook:{event.pk}")
    return event


@csrf_exempt
@require_POST
def servicetitan_webhook(request: HttpRequest) -> JsonResponse:
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"detail": "body too large"}, status=413)
    payload = _parse(request.body)
    event = receive_webhook(
        body=request.body,
        signature=request.headers.get(SIGNATURE_HEADER, ""),
        event_type=_event_type(request, payload),
        payload=payload,
        remote_addr=request.META.get("REMOTE_ADDR") or None,
    )
    if event.status == WebhookEvent.Status.REJECTED:
        logger.warning("ServiceTitan webhook %s refused: %s", event.pk, event.error)
        return JsonResponse({"detail": "signature refused", "event": event.pk}, status=403)
    status = 202 if event.status == WebhookEvent.Status.QUEUED else 200
    return JsonResponse({"event": event.pk, "status": event.status, "targets": event.targets}, status=status)
