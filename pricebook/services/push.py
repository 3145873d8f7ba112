"""Pushing overrides to ServiceTitan.

One push owns an override from `pending` to `pushing` (claimed with row locks, `skip_locked`, and one UPDATE), so no
override is ever sent twice at once; whatever happens, nothing stays `pushing`: the end of a push releases what it did
not finish, and an override left `pushing` by a crashed worker becomes `pending` again after PRICEBOOK_PUSH_STALE_AFTER
(minutes in the environment, default 5; seconds in settings).

- A few items (and every category) go one by one: GET the item (cheap, refreshes the mirror and detects a conflict),
  upload the image if any, PATCH only the changed fields, store ServiceTitan's answer.
- Many items of one kind go through PATCH /pricebook in batches of complete items built from the raw record; a
  rejected batch is split so the good items still go and each bad one carries its own message. The bulk PATCH
  answers without a body: the pushed items are then re-read through the list endpoint (changed since the push).
- 4xx: the override is `failed` with ServiceTitan's message. 429/5xx/timeouts (after the client's own retries): it
  goes back to `pending` for the task's retry and the scheduled push.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from pricebook.models import PricebookOverride, PricebookOverrideChange
from pricebook.selectors import ItemKind, item_kind, overrides_needing_push
from pricebook.services.history import PushOrigin, record_push_history
from pricebook.services.images import upload_image
from pricebook.services.overrides import enqueue_push, flag_conflicts, snapshot
from pricebook.services.payloads import bulk_item, patch_body
from servicetitan.client.errors import (
    ApiError,
    AuthenticationError,
    BadResponseError,
    ConfigurationError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from servicetitan.conversions import utc_datetime

logger = logging.getLogger(__name__)
Status = PricebookOverride.Status
Action = PricebookOverrideChange.Action

# Worth retrying later: ServiceTitan was busy or unreachable even after the client's retries.
TRANSIENT_ERRORS = (RateLimitedError, ServerError, TransportError, BadResponseError)
# Nothing can be pushed at all (credentials, configuration): everything goes back to pending.
BLOCKING_ERRORS = (ConfigurationError, AuthenticationError)
# A rejected batch with one of these statuses is split to find the bad items; others fail the whole batch.
SPLITTABLE_STATUSES = {400, 404, 409, 422}
# From this many pending items of one kind on, the bulk path is cheaper than one GET + PATCH each.
BULK_MIN_ITEMS = 3
# The list endpoint's `ids` filter takes at most 50 ids.
IDS_PER_LOOKUP = 50
# Clock skew allowance when re-reading "what changed since the push started".
REFRESH_MARGIN = timedelta(minutes=2)

# ServiceTitan field keys -> override field names, for messages shown next to the admin form's fields.
_FIELD_FOR_ST_KEY = {
    "displayname": "name",
    "name": "name",
    "price": "price",
    "cost": "cost",
    "memberprice": "member_price",
    "addonprice": "add_on_price",
    "description": "description",
    "active": "active",
    "assets": "image",
    "image": "image",
    "file": "image",
}
_INDEX = re.compile(r"\[(\d+)\]")


def batched(items: Iterable, size: int):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def batch_size() -> int:
    return getattr(settings, "PRICEBOOK_PUSH_BATCH_SIZE", 500)


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "PRICEBOOK_PUSH_STALE_AFTER", 5 * 60))


@dataclass
class PushResult:
    synced: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    conflicts: list[int] = field(default_factory=list)
    # Back to pending after a temporary failure (or an edit made during the push): pushed again later.
    retry: list[int] = field(default_factory=list)
    # Not pending when asked (another push owns them, or nothing to push).
    skipped: list[int] = field(default_factory=list)
    requests: int = 0
    dry_run: bool = False
    plan: list[str] = field(default_factory=list)
    error: str = ""
    # Reprice batches this push completed.
    batches_pushed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "synced": len(self.synced),
            "failed": len(self.failed),
            "conflicts": len(self.conflicts),
            "retry": len(self.retry),
            "skipped": len(self.skipped),
            "requests": self.requests,
            "error": self.error,
        }

    def summary(self) -> str:
        if self.dry_run:
            return "; ".join(self.plan) if self.plan else "Nothing is pending."
        parts = [f"{len(self.synced)} synced"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} in conflict")
        if self.retry:
            parts.append(f"{len(self.retry)} to retry")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped (not pending)")
        text = ", ".join(parts) + f" ({self.requests} ServiceTitan requests)."
        if self.batches_pushed:
            text += f" Reprice {', '.join(f'#{pk}' for pk in self.batches_pushed)} pushed."
        return f"{text} {self.error}" if self.error else text


# --- Claiming and releasing ---------------------------------------------------------------------------------------
def release_stale_pushes() -> int:
    """Overrides left `pushing` by a worker that died become pending again."""
    cutoff = timezone.now() - stale_after()
    stale = list(PricebookOverride.objects.filter(status=Status.PUSHING, push_started_at__lt=cutoff))
    released = 0
    for override in stale:
        released += PricebookOverride.objects.filter(pk=override.pk, claim_token=override.claim_token).update(
            status=Status.PENDING, claim_token=None, push_started_at=None
        )
        PricebookOverrideChange.objects.create(
            override=override,
            tenant_id=override.tenant_id,
            item_type=override.item_type,
            st_pricebook_id=override.st_pricebook_id,
            action=Action.REQUEUED,
            after=snapshot(override),
            message="An interrupted push was given up; the override will be pushed again.",
        )
    return released


def _claim(ids: Iterable[int]) -> list[PricebookOverride]:
    """Pending → pushing for the ones no other push holds; returns them (all with one claim token)."""
    token = uuid.uuid4()
    ids = list(ids)
    with transaction.atomic():
        free = list(
            PricebookOverride.objects.filter(pk__in=ids, status=Status.PENDING)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        PricebookOverride.objects.filter(pk__in=free, status=Status.PENDING).update(
            status=Status.PUSHING, claim_token=token, claimed_revision=F("revision"), push_started_at=timezone.now()
        )
    return list(PricebookOverride.objects.filter(claim_token=token).order_by("pk"))


def _release(token, ids: Iterable[int] | None = None, message: str = "") -> list[int]:
    """What this push still holds goes back to pending (with the reason, when there is one)."""
    qs = PricebookOverride.objects.filter(claim_token=token, status=Status.PUSHING)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    released = list(qs.values_list("pk", flat=True))
    values = {"status": Status.PENDING, "claim_token": None, "push_started_at": None}
    if message:
        values["error_message"] = message
    PricebookOverride.objects.filter(pk__in=released, claim_token=token).update(**values)
    return released


def _finish(override: PricebookOverride, result: PushResult, *, status: str, action: str, message: str, **values):
    """End one override's push as `status`, unless it was edited meanwhile: then it is pending again."""
    token = override.claim_token
    updated = PricebookOverride.objects.filter(
        pk=override.pk, claim_token=token, revision=F("claimed_revision")
    ).update(status=status, claim_token=None, push_started_at=None, **values)
    if updated:
        PricebookOverrideChange.objects.create(
            override=override,
            tenant_id=override.tenant_id,
            item_type=override.item_type,
            st_pricebook_id=override.st_pricebook_id,
            action=action,
            after=snapshot(override),
            message=message,
        )
        return True
    if _release(token, [override.pk]):
        result.retry.append(override.pk)
        enqueue_push([override.pk])
    return False


# --- Outcomes -----------------------------------------------------------------------------------------------------
def field_errors_from(exc: ApiError, default_field: str = "__all__") -> dict[str, list[str]]:
    """ServiceTitan's `errors` ({"Price": ["…"], "materials[3].price": [...]}) keyed by override field names."""
    mapped: dict[str, list[str]] = defaultdict(list)
    for key, messages in (getattr(exc, "errors", None) or {}).items():
        last = re.split(r"[.\]$]", str(key))[-1].strip().lower()
        name = _FIELD_FOR_ST_KEY.get(last, default_field)
        mapped[name].extend(messages if isinstance(messages, list) else [str(messages)])
    if not mapped:
        mapped[default_field].append(staff_message(exc))
    return dict(mapped)


def staff_message(exc: Exception) -> str:
    return getattr(exc, "staff_message", None) or str(exc) or exc.__class__.__name__


def _fail(override, result: PushResult, exc_or_message, *, field_errors=None, default_field="__all__"):
    if isinstance(exc_or_message, ApiError):
        message = f"ServiceTitan answered {exc_or_message.status}: {staff_message(exc_or_message)}"
        field_errors = field_errors or field_errors_from(exc_or_message, default_field)
    else:
        message = str(exc_or_message)
        field_errors = field_errors or {default_field: [message]}
    if _finish(
        override,
        result,
        status=Status.FAILED,
        action=Action.FAILED,
        message=message,
        error_message=message,
        field_errors=field_errors,
    ):
        result.failed[override.pk] = message


def _conflict(override, result: PushResult, st_modified_on):
    message = (
        "ServiceTitan changed this item after it was edited here "
        f"(its modifiedOn {st_modified_on:%Y-%m-%d %H:%M:%S} is newer). Keep yours or take ServiceTitan's."
    )
    if _finish(
        override,
        result,
        status=Status.CONFLICT,
        action=Action.CONFLICT,
        message=message,
        error_message=message,
        field_errors={},
    ):
        result.conflicts.append(override.pk)


def _mark_synced(kind: ItemKind, overrides: list[PricebookOverride], result: PushResult, message: str):
    """Synced, with the item's fresh modifiedOn (from the raw row just stored) as the new base."""
    if not overrides:
        return
    now = timezone.now()
    by_token = defaultdict(list)
    for override in overrides:
        by_token[override.claim_token].append(override.pk)
    latest = kind.raw.objects.filter(tenant_id=OuterRef("tenant_id"), st_id=OuterRef("st_pricebook_id")).values(
        "st_modified_on"
    )[:1]
    for token, ids in by_token.items():
        with transaction.atomic():
            PricebookOverride.objects.filter(pk__in=ids, claim_token=token, revision=F("claimed_revision")).update(
                status=Status.SYNCED,
                claim_token=None,
                push_started_at=None,
                last_synced_at=now,
                base_modified_on=Subquery(latest, output_field=models.DateTimeField()),
                error_message="",
                field_errors={},
            )
            done = list(PricebookOverride.objects.filter(pk__in=ids, status=Status.SYNCED, last_synced_at=now))
            PricebookOverrideChange.objects.bulk_create(
                [
                    PricebookOverrideChange(
                        override=o,
                        tenant_id=o.tenant_id,
                        item_type=o.item_type,
                        st_pricebook_id=o.st_pricebook_id,
                        action=Action.PUSHED,
                        after=snapshot(o),
                        message=message,
                    )
                    for o in done
                ],
                batch_size=500,
            )
            result.synced.extend(o.pk for o in done)
            # Edited while being pushed: the newer edit goes next.
            edited = _release(token, ids)
        if edited:
            result.retry.extend(edited)
            enqueue_push(edited)


# --- ServiceTitan side ----------------------------------------------------------------------------------------------
def _parse_modified_on(payload: dict):
    return utc_datetime(payload.get("modifiedOn"))


def _is_conflict(override: PricebookOverride, st_modified_on) -> bool:
    return bool(override.base_modified_on and st_modified_on and st_modified_on > override.base_modified_on)


def _store(kind: ItemKind, payloads: list[dict], tenant_id: int, *, origin: PushOrigin | None = None) -> None:
    """Write ServiceTitan's records into raw + master the way a sync does (the price history tells the pushed items'
    changes, named by `origin`, from ServiceTitan's own)."""
    from servicetitan.sync.streams import all_streams
    from servicetitan.sync.upsert import upsert_records

    payloads = [p for p in payloads if isinstance(p, dict) and p.get("id") is not None]
    if payloads:
        upsert_records(all_streams()[kind.resource_key], payloads, tenant_id, origin=origin)


def _upload_image(client, override: PricebookOverride, result: PushResult) -> bool:
    """Upload the override's image once; its ServiceTitan path is kept so a retry does not upload it again."""
    if override.uploaded_image_path or not override.override_image_data:
        return True
    filename = override.override_image_name or f"{override.item_type}_{override.st_pricebook_id}"
    try:
        path = upload_image(client, filename, bytes(override.override_image_data), override.override_image_mime_type)
    except TRANSIENT_ERRORS + BLOCKING_ERRORS:
        raise
    except ApiError as exc:
        _fail(override, result, exc, default_field="image")
        return False
    PricebookOverride.objects.filter(pk=override.pk).update(uploaded_image_path=path)
    override.uploaded_image_path = path
    return True


def _push_single(client, kind: ItemKind, override: PricebookOverride, result: PushResult) -> None:
    tenant_id = override.tenant_id
    try:
        fresh = client.get(kind.resource_key, override.st_pricebook_id)
    except TRANSIENT_ERRORS + BLOCKING_ERRORS:
        raise
    except ApiError as exc:
        if exc.status == 404:
            _fail(override, result, "ServiceTitan no longer has this item; discard the override.")
        else:
            _fail(override, result, exc)
        return
    _store(kind, [fresh], tenant_id)
    st_modified_on = _parse_modified_on(fresh)
    if _is_conflict(override, st_modified_on):
        _conflict(override, result, st_modified_on)
        return
    if not _upload_image(client, override, result):
        return
    body = patch_body(override, fresh)
    if body:
        try:
            answer = client.update(kind.resource_key, override.st_pricebook_id, body)
        except TRANSIENT_ERRORS + BLOCKING_ERRORS:
            raise
        except ApiError as exc:
            _fail(override, result, exc)
            return
        record_push_history(
            kind.item_type,
            [answer if answer else client.get(kind.resource_key, override.st_pricebook_id)],
            tenant_id,
            overrides=[override],
        )
    fields = ", ".join(sorted(body)) or "nothing differed"
    _mark_synced(kind, [override], result, f"Pushed to ServiceTitan ({fields}).")


def _bad_indexes(exc: ApiError, size: int) -> set[int]:
    """Items a batch rejection names by index (e.g. "materials[3].price"), when ServiceTitan says which."""
    found = set()
    for key in getattr(exc, "errors", None) or {}:
        match = _INDEX.search(str(key))
        if match is None:
            return set()
        found.add(int(match.group(1)))
    return found if found and max(found) < size else set()


def _item_errors(exc: ApiError, index: int) -> dict[str, list[str]]:
    return {
        key: messages
        for key, messages in (getattr(exc, "errors", None) or {}).items()
        if (m := _INDEX.search(str(key))) and int(m.group(1)) == index
    }


def _send_batch(client, kind: ItemKind, chunk: list, result: PushResult) -> list:
    """PATCH /pricebook with these (override, item) pairs; returns the ones ServiceTitan accepted."""
    if not chunk:
        return []
    try:
        client.call("pricebook.bulk", "update", json={kind.bulk_collection: [item for _, item in chunk]})
        return chunk
    except TRANSIENT_ERRORS + BLOCKING_ERRORS:
        raise
    except ApiError as exc:
        if len(chunk) == 1:
            _fail(chunk[0][0], result, exc)
            return []
        if exc.status not in SPLITTABLE_STATUSES:
            for override, _ in chunk:
                _fail(override, result, exc)
            return []
        bad = _bad_indexes(exc, len(chunk))
        if bad:
            for index in sorted(bad):
                override = chunk[index][0]
                errors = _item_errors(exc, index)
                text = "; ".join(f"{k.split('.')[-1]}: {' '.join(v)}" for k, v in errors.items())
                _fail(
                    override,
                    result,
                    f"ServiceTitan answered {exc.status}: {text}",
                    field_errors=field_errors_from(_ErrorsOnly(errors)) if errors else None,
                )
            rest = [pair for i, pair in enumerate(chunk) if i not in bad]
            return _send_batch(client, kind, rest, result)
        middle = len(chunk) // 2
        return _send_batch(client, kind, chunk[:middle], result) + _send_batch(client, kind, chunk[middle:], result)


class _ErrorsOnly:
    """Adapter so `field_errors_from` reads one item's share of a batch's errors."""

    def __init__(self, errors):
        self.errors = errors
        self.staff_message = ""


def _refresh_pushed(client, kind: ItemKind, overrides: list[PricebookOverride], since, tenant_id: int) -> set[int]:
    """Re-read items just pushed (the bulk PATCH has no answer body) and store them; returns the ids read."""
    origin = PushOrigin.of(overrides)
    wanted = set(origin.pushed)
    seen: set[int] = set()
    for page in client.iter_pages(
        kind.resource_key, modified_on_or_after=since - REFRESH_MARGIN, include_inactive=True
    ):
        _store(kind, page.items, tenant_id, origin=origin)
        seen.update(item["id"] for item in page.items if isinstance(item, dict) and "id" in item)
    missing = sorted(wanted - seen)
    if missing:
        # Not listed as changed (clock skew, or ServiceTitan found nothing to change): read them by id.
        resource = kind.resource_key
        from servicetitan.registry import get_resource

        if "ids" in get_resource(resource).list_query:
            for group in batched(missing, IDS_PER_LOOKUP):
                for page in client.iter_pages(
                    resource, include_inactive=True, params={"ids": ",".join(map(str, group))}
                ):
                    _store(kind, page.items, tenant_id, origin=origin)
                    seen.update(item["id"] for item in page.items if isinstance(item, dict) and "id" in item)
        else:
            for st_id in missing:
                _store(kind, [client.get(resource, st_id)], tenant_id, origin=origin)
                seen.add(st_id)
    # Other items that changed in ServiceTitan meanwhile may now conflict with their pending overrides.
    others = seen - wanted
    if others:
        flag_conflicts(kind.item_type, others, tenant_id)
    return seen


def _push_bulk(client, kind: ItemKind, overrides: list[PricebookOverride], result: PushResult) -> None:
    tenant_id = overrides[0].tenant_id
    raws = {
        raw.st_id: raw
        for raw in kind.raw.objects.filter(tenant_id=tenant_id, st_id__in=[o.st_pricebook_id for o in overrides])
    }
    ready, unchanged = [], []
    for override in overrides:
        raw = raws.get(override.st_pricebook_id)
        if raw is None or raw.deleted:
            _fail(override, result, "This item is not in the mirror or was deleted in ServiceTitan; sync and retry.")
            continue
        # Compared with the raw record as last synced; the single path re-reads the item first instead.
        if _is_conflict(override, raw.st_modified_on):
            _conflict(override, result, raw.st_modified_on)
            continue
        if not _upload_image(client, override, result):
            continue
        if not patch_body(override, raw.payload):
            unchanged.append(override)
            continue
        ready.append((override, bulk_item(override, raw.payload)))
    _mark_synced(kind, unchanged, result, "Nothing differed from ServiceTitan; nothing sent.")

    started = timezone.now()
    accepted, interrupted = [], None
    try:
        for chunk in batched(ready, batch_size()):
            accepted.extend(_send_batch(client, kind, list(chunk), result))
    except TRANSIENT_ERRORS + BLOCKING_ERRORS as exc:
        interrupted = exc
    if accepted:
        try:
            _refresh_pushed(client, kind, [o for o, _ in accepted], started, tenant_id)
        except TRANSIENT_ERRORS as exc:
            # ServiceTitan has them: synced all the same; the next sync brings their new records.
            logger.warning("pushed %s %s but could not re-read them: %s", len(accepted), kind.item_type, exc)
        _mark_synced(kind, [o for o, _ in accepted], result, "Pushed to ServiceTitan (bulk update).")
    if interrupted is not None:
        raise interrupted


# --- Entry points ---------------------------------------------------------------------------------------------------
def push_overrides(ids: Iterable[int], *, client=None, mode: str = "auto") -> PushResult:
    """Push these overrides (those pending; others are skipped). `mode`: "auto", "bulk" or "single"."""
    if mode not in {"auto", "bulk", "single"}:
        raise ValueError(f"unknown push mode {mode!r}")
    ids = list(ids)
    result = PushResult()
    release_stale_pushes()
    claimed = _claim(ids)
    result.skipped = sorted(set(ids) - {o.pk for o in claimed})
    if not claimed:
        return result
    token = claimed[0].claim_token
    try:
        if client is None:
            from servicetitan.client import get_client

            client = get_client()
    except BLOCKING_ERRORS as exc:
        result.error = f"Not pushed: {staff_message(exc)}"
        result.retry.extend(_release(token, message=result.error))
        return result

    calls_before = client.stats.calls
    by_type: dict[str, list[PricebookOverride]] = defaultdict(list)
    for override in claimed:
        if override.tenant_id != client.tenant_id:
            _fail(override, result, f"This override belongs to tenant {override.tenant_id}, not {client.tenant_id}.")
            continue
        by_type[override.item_type].append(override)
    try:
        for item_type, overrides in by_type.items():
            kind = item_kind(item_type)
            use_bulk = (
                kind.bulk_collection is not None
                and mode != "single"
                and (mode == "bulk" or len(overrides) >= BULK_MIN_ITEMS)
            )
            try:
                if use_bulk:
                    _push_bulk(client, kind, overrides, result)
                else:
                    for override in overrides:
                        _push_single(client, kind, override, result)
            except TRANSIENT_ERRORS as exc:
                message = f"Waiting to retry: {staff_message(exc)}"
                result.retry.extend(_release(token, [o.pk for o in overrides], message=message))
                result.error = message
    except BLOCKING_ERRORS as exc:
        result.error = f"Not pushed: {staff_message(exc)}"
    finally:
        result.retry.extend(_release(token, message=result.error))
        result.requests = client.stats.calls - calls_before
    # Approved reprice batches whose overrides ServiceTitan now has become pushed.
    from pricebook.services.reprice import settle_batches

    result.batches_pushed = settle_batches()
    return result


def push_pending(*, dry_run: bool = False, client=None, mode: str = "auto") -> PushResult:
    """Push every pending override now (what `st_push` and the scheduled task do)."""
    if dry_run:
        result = PushResult(dry_run=True)
        pending = overrides_needing_push()
        counts = defaultdict(int)
        for item_type in pending.values_list("item_type", flat=True):
            counts[item_type] += 1
        for item_type, count in sorted(counts.items()):
            kind = item_kind(item_type)
            bulk = kind.bulk_collection and mode != "single" and (mode == "bulk" or count >= BULK_MIN_ITEMS)
            how = f"bulk, {-(-count // batch_size())} batch(es)" if bulk else "one by one"
            result.plan.append(f"{count} {item_type} override(s) would be pushed ({how})")
        from pricebook.services.reprice import approved_batches_waiting

        result.plan.extend(approved_batches_waiting())
        return result
    release_stale_pushes()
    for item_type in {"material", "service", "equipment", "category"}:
        flag_conflicts(item_type)
    result = push_overrides(list(overrides_needing_push().values_list("pk", flat=True)), client=client, mode=mode)
    # Approved reprice batches are pending overrides (pushed above); settled here too when nothing was pending.
    from pricebook.services.reprice import settle_batches

    result.batches_pushed = sorted(set(result.batches_pushed) | set(settle_batches()))
    return result


def refresh_from_servicetitan(
    item_type: str, st_ids: Iterable[int], *, client=None, tenant_id: int | None = None
) -> int:
    """Re-read these items from ServiceTitan into the mirror now (by ids, 50 per request; categories one by one).

    Returns how many were read. A newer record puts a pending override in conflict."""
    from servicetitan.registry import get_resource

    if client is None:
        from servicetitan.client import get_client

        client = get_client()
    kind = item_kind(item_type)
    tenant_id = tenant_id or client.tenant_id
    st_ids = sorted(set(st_ids))
    read: set[int] = set()
    if "ids" in get_resource(kind.resource_key).list_query:
        for group in batched(st_ids, IDS_PER_LOOKUP):
            for page in client.iter_pages(
                kind.resource_key, include_inactive=True, params={"ids": ",".join(map(str, group))}
            ):
                _store(kind, page.items, tenant_id)
                read.update(item["id"] for item in page.items if isinstance(item, dict) and "id" in item)
    else:
        for st_id in st_ids:
            _store(kind, [client.get(kind.resource_key, st_id)], tenant_id)
            read.add(st_id)
    flag_conflicts(item_type, read, tenant_id)
    return len(read & set(st_ids))
