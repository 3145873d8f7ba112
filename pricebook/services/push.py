"""Pushing overrides to ServiceTitan.

One push owns an override from `pending` to `pushing` (claimed with row locks, `skip_locked`, and one UPDATE), so no
override is ever sent twice at once; whatever happens, nothing stays `pushing`: the end of a push releases what it did
not finish, and an override left `pushing` by a crashed worker becomes `pending` again after PRICEBOOK_PUSH_STALE_AFTER
(minutes in the environment, default 5; seconds in settings).

- A few items (and every category) go one by one: GET the item (cheap, refreshes the mirror and detects a conflict),
  upload the image if any, PATCH only the changed fields, store ServiceTitan's answer.
- Many items of one kind go through PATCH /pricebook in batches of complete items built from the raw record; a
  rejected batch is split so the good items still go and each bad one carries its own message. The bulk PATCH
  answers without a body: the pushed items are then re-read through the list endpoint (changed since the push), for
  their new modifiedOn (the base the next conflict check compares with). An item the bulk schema cannot carry (a
  material or equipment without the primary vendor it requires) is PATCHed by id instead, in the same push.
- 4xx: the override is `failed` with ServiceTitan's message. 429/5xx/timeouts (after the client's own retries): it
  goes back to `pending`, returned in `PushResult.retry` for the task to re-queue (and the scheduled push).

Set-based: whatever the count, ending overrides' pushes is one SELECT … FOR UPDATE, one UPDATE (or bulk_update) and
one change-log INSERT (`_settle`), and ServiceTitan's answers are stored through the write-through's page write (one
upsert and one price-history INSERT per answer page). The push reaches back for nothing: history, conflicts and
re-reads are modules of their own, and re-queueing is the task's (`pricebook.tasks`).
"""

from __future__ import annotations

import gc
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import orjson
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from pricebook.models import OVERRIDE_FIELDS, PricebookOverride, PricebookOverrideChange
from pricebook.selectors import ITEM_KINDS, ItemKind, item_kind, overrides_needing_push
from pricebook.services.conflicts import flag_conflicts, is_conflict
from pricebook.services.history import PushOrigin, change_row, record_changes, record_push_history
from pricebook.services.images import upload_image
from pricebook.services.payloads import bulk_item, fits_bulk, patch_body
from pricebook.services.refresh import IDS_PER_LOOKUP as IDS_PER_LOOKUP
from pricebook.services.refresh import batched, ids_of, read_by_ids, write_back_pushed
from pricebook.services.refresh import refresh_from_servicetitan as refresh_from_servicetitan  # the admin's import
from pricebook.services.rowsets import claim_returning_rows, in_ids, update_returning_pks
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
from servicetitan.registry import get_resource
from servicetitan.writethrough import store_records

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
# Clock skew allowance when re-reading "what changed since the push started".
REFRESH_MARGIN = timedelta(minutes=2)

# ServiceTitan field keys (lower case) -> override field names, for messages shown next to the admin form's fields:
# the reverse of OVERRIDE_FIELDS (per item type: a discount's `displayName` is its `display_name`, an item's its
# `name`; without a type the first field declared for a key wins), plus the keys an image travels under.
_IMAGE_KEYS = dict.fromkeys(("assets", "image", "file"), "image")
_FIELD_FOR_ST_KEY = {f.st_key.lower(): f.name for f in reversed(OVERRIDE_FIELDS)} | _IMAGE_KEYS
_FIELD_FOR_ST_KEY_OF = {
    item_type: {f.st_key.lower(): f.name for f in OVERRIDE_FIELDS if item_type in f.item_types} | _IMAGE_KEYS
    for item_type in {t for f in OVERRIDE_FIELDS for t in f.item_types}
}
_INDEX = re.compile(r"\[(\d+)\]")


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
    # Of `retry`: edited while being pushed, so the newer edit is to push next (the task queues them at once).
    edited: list[int] = field(default_factory=list)
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


# --- Claiming, releasing, settling -----------------------------------------------------------------------------------
def release_stale_pushes() -> int:
    """Overrides left `pushing` by a worker that died become pending again (one UPDATE, one history INSERT)."""
    cutoff = timezone.now() - stale_after()
    with transaction.atomic():
        stale = list(
            PricebookOverride.objects.filter(status=Status.PUSHING, push_started_at__lt=cutoff)
            .order_by()
            .select_for_update(skip_locked=True)
        )
        if not stale:
            return 0
        PricebookOverride.objects.filter(in_ids("pk", [o.pk for o in stale]), status=Status.PUSHING).update(
            status=Status.PENDING, claim_token=None, push_started_at=None
        )
        now = timezone.now()
        record_changes(
            change_row(
                override,
                Action.REQUEUED,
                at=now,
                message="An interrupted push was given up; the override will be pushed again.",
            )
            for override in stale
        )
    return len(stale)


def _claim(ids: Iterable[int]) -> list[PricebookOverride]:
    """Pending → pushing for the ones no other push holds; returns them (all with one claim token)."""
    token = uuid.uuid4()
    ids = list(ids)
    if not ids:
        return []
    if connection.vendor == "postgresql":
        # Lock, update and read back in one statement (the three steps below, for any other database).
        claimed = claim_returning_rows(
            PricebookOverride,
            ids,
            where={"status": Status.PENDING},
            values={"status": Status.PUSHING, "claim_token": token, "push_started_at": timezone.now()},
            copy={"claimed_revision": "revision"},
        )
        return sorted(claimed, key=lambda o: o.pk)
    with transaction.atomic():
        free = list(
            PricebookOverride.objects.filter(in_ids("pk", ids), status=Status.PENDING)
            .order_by()
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        if not free:
            return []
        PricebookOverride.objects.filter(in_ids("pk", free), status=Status.PENDING).update(
            status=Status.PUSHING, claim_token=token, claimed_revision=F("revision"), push_started_at=timezone.now()
        )
    return list(PricebookOverride.objects.filter(claim_token=token).order_by("pk"))


def _release(token, ids: Iterable[int] | None = None, message: str = "") -> list[int]:
    """What this push still holds goes back to pending (with the reason, when there is one)."""
    qs = PricebookOverride.objects.filter(claim_token=token, status=Status.PUSHING)
    if ids is not None:
        ids = list(ids)
        if not ids:
            return []
        qs = qs.filter(in_ids("pk", ids))
    released = list(qs.values_list("pk", flat=True))
    if not released:
        return []
    values = {"status": Status.PENDING, "claim_token": None, "push_started_at": None}
    if message:
        values["error_message"] = message
    PricebookOverride.objects.filter(in_ids("pk", released), claim_token=token).update(**values)
    return released


@dataclass
class Outcome:
    """How one override's push ends: its new status, the change-log entry, and ServiceTitan's message if any."""

    override: PricebookOverride
    status: str
    action: str
    message: str
    field_errors: dict = field(default_factory=dict)

    @property
    def error_message(self) -> str:
        return "" if self.status == Status.SYNCED else self.message


def _synced(override: PricebookOverride, message: str) -> Outcome:
    return Outcome(override, Status.SYNCED, Action.PUSHED, message)


def _settle(kind: ItemKind, outcomes: list[Outcome], result: PushResult) -> None:
    """End these overrides' push, set-based: those still at the revision claimed take their outcome (synced ones
    with the item's fresh modifiedOn, from the raw row just stored, as their new base) and get their change-log
    entry; an override edited meanwhile goes back to pending instead (`result.retry` and `result.edited`)."""
    if not outcomes:
        return
    by_pk = {o.override.pk: o for o in outcomes}
    tokens = {o.override.claim_token for o in outcomes}
    now = timezone.now()
    ours = PricebookOverride.objects.filter(claim_token__in=tokens, revision=F("claimed_revision"))
    with transaction.atomic():
        synced = [pk for pk, o in by_pk.items() if o.status == Status.SYNCED]
        done_ids: set[int] = set()
        if synced:
            latest = kind.raw.objects.filter(tenant_id=OuterRef("tenant_id"), st_id=OuterRef("st_pricebook_id")).values(
                "st_modified_on"
            )[:1]
            # One conditional UPDATE, answering which rows it took (the others were edited meanwhile).
            done_ids.update(
                update_returning_pks(
                    ours.filter(in_ids("pk", synced)),
                    status=Status.SYNCED,
                    claim_token=None,
                    push_started_at=None,
                    last_synced_at=now,
                    base_modified_on=Subquery(latest, output_field=models.DateTimeField()),
                    error_message="",
                    field_errors={},
                )
            )
        others = [pk for pk, o in by_pk.items() if o.status != Status.SYNCED]
        if others:
            # Refusals and conflicts carry a message each: the rows still ours are locked, then written in one go.
            mine = set(ours.filter(in_ids("pk", others)).order_by().select_for_update().values_list("pk", flat=True))
            ended = [by_pk[pk] for pk in others if pk in mine]
            for o in ended:
                o.override.status, o.override.claim_token, o.override.push_started_at = o.status, None, None
                o.override.error_message, o.override.field_errors = o.error_message, o.field_errors
            PricebookOverride.objects.bulk_update(
                [o.override for o in ended],
                ["status", "claim_token", "push_started_at", "error_message", "field_errors"],
                batch_size=500,
            )
            done_ids |= mine
        done = [o for pk, o in by_pk.items() if pk in done_ids]
        record_changes(change_row(o.override, o.action, message=o.message, at=now) for o in done)
    for o in done:
        if o.status == Status.SYNCED:
            result.synced.append(o.override.pk)
        elif o.status == Status.CONFLICT:
            result.conflicts.append(o.override.pk)
        else:
            result.failed[o.override.pk] = o.message
    edited = [pk for pk in by_pk if pk not in done_ids]
    for token in tokens:
        released = _release(token, edited)
        result.retry.extend(released)
        result.edited.extend(released)


# --- Outcomes -----------------------------------------------------------------------------------------------------
def field_errors_from(
    exc: ApiError, default_field: str = "__all__", item_type: str | None = None
) -> dict[str, list[str]]:
    """ServiceTitan's `errors` ({"Price": ["…"], "materials[3].price": [...]}) keyed by override field names."""
    mapped: dict[str, list[str]] = defaultdict(list)
    for key, messages in (getattr(exc, "errors", None) or {}).items():
        last = re.split(r"[.\]$]", str(key))[-1].strip().lower()
        name = _FIELD_FOR_ST_KEY_OF.get(item_type, _FIELD_FOR_ST_KEY).get(last, default_field)
        mapped[name].extend(messages if isinstance(messages, list) else [str(messages)])
    if not mapped:
        mapped[default_field].append(staff_message(exc))
    return dict(mapped)


def staff_message(exc: Exception) -> str:
    return getattr(exc, "staff_message", None) or str(exc) or exc.__class__.__name__


def _failure(override, exc_or_message, *, field_errors=None, default_field="__all__") -> Outcome:
    """Refused: the edit stays, with ServiceTitan's message (per field for the admin form)."""
    if isinstance(exc_or_message, ApiError):
        message = f"ServiceTitan answered {exc_or_message.status}: {staff_message(exc_or_message)}"
        field_errors = field_errors or field_errors_from(exc_or_message, default_field, override.item_type)
    else:
        message = str(exc_or_message)
        field_errors = field_errors or {default_field: [message]}
    return Outcome(override, Status.FAILED, Action.FAILED, message, field_errors)


def _conflict(override, st_modified_on) -> Outcome:
    since = f"(its modifiedOn {st_modified_on:%Y-%m-%d %H:%M:%S} is newer)" if st_modified_on else "(its values differ)"
    message = f"ServiceTitan changed this item after it was edited here {since}. Keep yours or take ServiceTitan's."
    return Outcome(override, Status.CONFLICT, Action.CONFLICT, message)


# --- ServiceTitan side ----------------------------------------------------------------------------------------------
def _parse_modified_on(payload: dict):
    return utc_datetime(payload.get("modifiedOn"))


def _upload_image(client, override: PricebookOverride) -> Outcome | None:
    """Upload the override's image once; its ServiceTitan path is kept so a retry does not upload it again. Returns
    the failure when ServiceTitan refused the image."""
    if override.uploaded_image_path or not override.override_image_data:
        return None
    filename = override.override_image_name or f"{override.item_type}_{override.st_pricebook_id}"
    try:
        path = upload_image(client, filename, bytes(override.override_image_data), override.override_image_mime_type)
    except TRANSIENT_ERRORS + BLOCKING_ERRORS:
        raise
    except ApiError as exc:
        return _failure(override, exc, default_field="image")
    PricebookOverride.objects.filter(pk=override.pk).update(uploaded_image_path=path)
    override.uploaded_image_path = path
    return None


def _read_one(client, kind: ItemKind, st_id: int) -> dict | None:
    """ServiceTitan's record now: by id, or through the list's `ids` filter where there is no get (rate sheets).
    None when ServiceTitan no longer has it (a get by id raises its 404 instead)."""
    if get_resource(kind.resource_key).get_operation is not None:
        return client.get(kind.resource_key, st_id)
    for page in client.iter_pages(kind.resource_key, params={"ids": str(st_id)}):
        for record in page.items:
            if record.get("id") == st_id:
                return record
    return None


def _send_update(client, kind: ItemKind, st_id: int, body: dict):
    """PATCH the record (its update path names the id `kind.id_param`)."""
    if kind.id_param == "id":
        return client.update(kind.resource_key, st_id, body)
    operation = get_resource(kind.resource_key).writes["update"]
    return client.request(
        operation.method, kind.resource_key, operation.path, path_params={kind.id_param: st_id}, json=body
    )


def _push_single(client, kind: ItemKind, override: PricebookOverride, result: PushResult) -> None:
    tenant_id = override.tenant_id
    gone = "ServiceTitan no longer has this item; discard the override."
    try:
        fresh = _read_one(client, kind, override.st_pricebook_id)
    except TRANSIENT_ERRORS + BLOCKING_ERRORS:
        raise
    except ApiError as exc:
        _settle(kind, [_failure(override, gone if exc.status == 404 else exc)], result)
        return
    if fresh is None:
        _settle(kind, [_failure(override, gone)], result)
        return
    store_records(kind.resource_key, [fresh], tenant_id)
    st_modified_on = _parse_modified_on(fresh)
    if is_conflict(override, st_modified_on, fresh):
        _settle(kind, [_conflict(override, st_modified_on)], result)
        return
    if (refused := _upload_image(client, override)) is not None:
        _settle(kind, [refused], result)
        return
    body = patch_body(override, fresh)
    if body:
        try:
            answer = _send_update(client, kind, override.st_pricebook_id, body)
        except TRANSIENT_ERRORS + BLOCKING_ERRORS:
            raise
        except ApiError as exc:
            _settle(kind, [_failure(override, exc)], result)
            return
        # A rate sheet's answer is its exceptions only (no id): the record is read again to be stored.
        if not (isinstance(answer, dict) and "id" in answer):
            answer = _read_one(client, kind, override.st_pricebook_id)
        if answer:
            record_push_history(kind.item_type, [answer], tenant_id, overrides=[override])
    fields = ", ".join(sorted(body)) or "nothing differed"
    _settle(kind, [_synced(override, f"Pushed to ServiceTitan ({fields}).")], result)


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


def _send_batch(client, kind: ItemKind, chunk: list, refused: list[Outcome]) -> list:
    """PATCH /pricebook with these (override, item) pairs; returns the ones ServiceTitan accepted, adds the refused
    ones' failures to `refused`."""
    if not chunk:
        return []
    try:
        client.call("pricebook.bulk", "update", json={kind.bulk_collection: [item for _, item in chunk]})
        return chunk
    except TRANSIENT_ERRORS + BLOCKING_ERRORS:
        raise
    except ApiError as exc:
        if len(chunk) == 1:
            refused.append(_failure(chunk[0][0], exc))
            return []
        if exc.status not in SPLITTABLE_STATUSES:
            refused.extend(_failure(override, exc) for override, _ in chunk)
            return []
        bad = _bad_indexes(exc, len(chunk))
        if bad:
            for index in sorted(bad):
                override = chunk[index][0]
                errors = _item_errors(exc, index)
                text = "; ".join(f"{k.split('.')[-1]}: {' '.join(v)}" for k, v in errors.items())
                refused.append(
                    _failure(
                        override,
                        f"ServiceTitan answered {exc.status}: {text}",
                        field_errors=field_errors_from(_ErrorsOnly(errors)) if errors else None,
                    )
                )
            rest = [pair for i, pair in enumerate(chunk) if i not in bad]
            return _send_batch(client, kind, rest, refused)
        middle = len(chunk) // 2
        return _send_batch(client, kind, chunk[:middle], refused) + _send_batch(client, kind, chunk[middle:], refused)


class _ErrorsOnly:
    """Adapter so `field_errors_from` reads one item's share of a batch's errors."""

    def __init__(self, errors):
        self.errors = errors
        self.staff_message = ""


def _refresh_pushed(
    client, kind: ItemKind, overrides: list[PricebookOverride], since, tenant_id: int, pushed_from: dict
) -> set[int]:
    """Re-read items just pushed (the bulk PATCH has no answer body) and store them, one page write per page (their
    price changes recorded as the push's); returns the ids read. `pushed_from`: st_id -> (payload, payload hash) of
    the raw records the push was built from, so the items that changed only in what was pushed take the lean
    write-back (`write_back_pushed`, what a sync would store). Other items the pages bring that changed in
    ServiceTitan meanwhile are stored like a sync's, which flags their pending overrides in conflict."""
    origin = PushOrigin.of(overrides)
    seen: set[int] = set()
    for page in client.iter_pages(
        kind.resource_key, modified_on_or_after=since - REFRESH_MARGIN, include_inactive=True
    ):
        seen |= ids_of(write_back_pushed(kind, page.items, tenant_id, origin=origin, pushed_from=pushed_from))
    # Not listed as changed (clock skew, or ServiceTitan found nothing to change): read them by id.
    missing = set(origin.pushed) - seen
    if missing:
        seen |= read_by_ids(client, kind, missing, tenant_id, origin=origin)
    return seen


def _latest_records(kind: ItemKind, tenant_id: int, st_ids: list[int]) -> dict[int, tuple[dict, object, bool, str]]:
    """st_id -> (payload, modifiedOn, deleted, payload hash) of the raw records as last synced (one query; the
    payloads read as text and parsed by orjson, several times faster than the JSON field's own decoding)."""
    rows = (
        kind.raw.objects.filter(tenant_id=tenant_id, st_id__any_of=st_ids)
        .annotate(payload_text=Cast("payload", TextField()))
        .values_list("st_id", "payload_text", "st_modified_on", "deleted", "payload_hash")
    )
    return {
        st_id: (orjson.loads(text), modified_on, deleted, digest) for st_id, text, modified_on, deleted, digest in rows
    }


def _push_bulk(client, kind: ItemKind, overrides: list[PricebookOverride], result: PushResult) -> None:
    tenant_id = overrides[0].tenant_id
    latest = _latest_records(kind, tenant_id, [o.st_pricebook_id for o in overrides])
    ready, ended, alone = [], [], []
    try:
        for override in overrides:
            payload, modified_on, deleted, _ = latest.get(override.st_pricebook_id, (None, None, True, None))
            if payload is None or deleted:
                message = "This item is not in the mirror or was deleted in ServiceTitan; sync and retry."
                ended.append(_failure(override, message))
            # Compared with the raw record as last synced; the single path re-reads the item first instead.
            elif is_conflict(override, modified_on):
                ended.append(_conflict(override, modified_on))
            elif (refused := _upload_image(client, override)) is not None:
                ended.append(refused)
            elif not (body := patch_body(override, payload)):
                ended.append(_synced(override, "Nothing differed from ServiceTitan; nothing sent."))
            elif not fits_bulk(kind.item_type, item := bulk_item(override, payload, body=body)):
                # Not expressible as a complete bulk item (no primary vendor): PATCH …/{id} with the changed fields.
                alone.append((override, body))
            else:
                ready.append((override, item))
    finally:
        _settle(kind, ended, result)
    _push_alone(client, kind, alone, tenant_id, result)

    started = timezone.now()
    accepted, interrupted = [], None
    try:
        for chunk in batched(ready, batch_size()):
            refused: list[Outcome] = []
            try:
                accepted.extend(_send_batch(client, kind, chunk, refused))
            finally:
                _settle(kind, refused, result)
    except TRANSIENT_ERRORS + BLOCKING_ERRORS as exc:
        interrupted = exc
    if accepted:
        pushed = [o for o, _ in accepted]
        try:
            pushed_from = {
                o.st_pricebook_id: (latest[o.st_pricebook_id][0], latest[o.st_pricebook_id][3]) for o in pushed
            }
            _refresh_pushed(client, kind, pushed, started, tenant_id, pushed_from)
        except TRANSIENT_ERRORS as exc:
            # ServiceTitan has them: synced all the same; the next sync brings their new records.
            logger.warning("pushed %s %s but could not re-read them: %s", len(pushed), kind.item_type, exc)
        _settle(kind, [_synced(o, "Pushed to ServiceTitan (bulk update).") for o in pushed], result)
    if interrupted is not None:
        raise interrupted


def _push_alone(client, kind: ItemKind, pairs: list, tenant_id: int, result: PushResult) -> None:
    """Items of a bulk push the bulk schema cannot carry (a required primary vendor they lack): one PATCH …/{id} each
    with only the changed fields (checked against the mirror like the bulk path, so no GET first); the answers stored
    in one page write and the outcomes settled in one go, whatever their count."""
    answers, outcomes = [], []
    try:
        for override, body in pairs:
            try:
                answer = _send_update(client, kind, override.st_pricebook_id, body)
            except TRANSIENT_ERRORS + BLOCKING_ERRORS:
                raise
            except ApiError as exc:
                outcomes.append(_failure(override, exc))
                continue
            if isinstance(answer, dict) and answer.get("id") is not None:
                answers.append(answer)
            outcomes.append(_synced(override, f"Pushed to ServiceTitan ({', '.join(sorted(body))})."))
    finally:
        if answers:
            synced = [o.override for o in outcomes if o.status == Status.SYNCED]
            record_push_history(kind.item_type, answers, tenant_id, overrides=synced)
        _settle(kind, outcomes, result)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the bulk path (reference counting still frees everything).

    A push of thousands of items keeps their parsed records, bulk items and override rows alive at once, and every
    full collection walks all of them: about a second of a 5,000-item push went to collections that found nothing
    (the push makes no reference cycles). The collector runs again afterwards, as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- Entry points ---------------------------------------------------------------------------------------------------
def _uses_bulk(kind: ItemKind, count: int, mode: str) -> bool:
    return kind.bulk_collection is not None and mode != "single" and (mode == "bulk" or count >= BULK_MIN_ITEMS)


def _push_claimed(client, claimed: list[PricebookOverride], token, mode: str, result: PushResult) -> None:
    """Push claimed overrides of the client's tenant (any other tenant's fail with a message); what is left goes back
    to pending."""
    calls_before = client.stats.calls
    error = ""
    by_type: dict[str, list[PricebookOverride]] = defaultdict(list)
    foreign = []
    for override in claimed:
        if override.tenant_id != client.tenant_id:
            message = f"This override belongs to tenant {override.tenant_id}, not {client.tenant_id}."
            foreign.append(_failure(override, message))
            continue
        by_type[override.item_type].append(override)
    for item_type in {o.override.item_type for o in foreign}:
        _settle(item_kind(item_type), [o for o in foreign if o.override.item_type == item_type], result)
    try:
        for item_type, overrides in by_type.items():
            kind = item_kind(item_type)
            try:
                if _uses_bulk(kind, len(overrides), mode):
                    with _collector_paused():
                        _push_bulk(client, kind, overrides, result)
                else:
                    for override in overrides:
                        _push_single(client, kind, override, result)
            except TRANSIENT_ERRORS as exc:
                error = f"Waiting to retry: {staff_message(exc)}"
                result.retry.extend(_release(token, [o.pk for o in overrides], message=error))
    except BLOCKING_ERRORS as exc:
        error = f"Not pushed: {staff_message(exc)}"
    finally:
        result.retry.extend(_release(token, [o.pk for o in claimed], message=error))
        result.requests += client.stats.calls - calls_before
        result.error = error or result.error


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
    if client is not None:
        _push_claimed(client, claimed, token, mode, result)
    else:
        # ServiceTitan's limit and credentials are per tenant: each tenant's overrides go through its own client.
        by_tenant: dict[int, list[PricebookOverride]] = defaultdict(list)
        for override in claimed:
            by_tenant[override.tenant_id].append(override)
        for tenant_id, overrides in by_tenant.items():
            try:
                from servicetitan.client import get_client

                tenant_client = get_client(tenant_id)
            except BLOCKING_ERRORS as exc:
                result.error = f"Not pushed: {staff_message(exc)}"
                result.retry.extend(_release(token, [o.pk for o in overrides], message=result.error))
                continue
            _push_claimed(tenant_client, overrides, token, mode, result)
    result.batches_pushed = _settle_batches([o.pk for o in claimed])
    return result


def _settle_batches(override_ids: list[int] | None = None) -> list[int]:
    """Approved batches whose overrides ServiceTitan now has become pushed: the reprice batches (their ids returned)
    and the central pricebook's per-tenant batches; those holding `override_ids` only, when given (a push's own)."""
    from pricebook.services import central, reprice

    central.settle_batches(override_ids)
    return reprice.settle_batches(override_ids)


def push_pending(*, dry_run: bool = False, client=None, mode: str = "auto", tenant_id: int | None = None) -> PushResult:
    """Push every pending override now, of every tenant (each with its own client) or of `tenant_id` only (what
    `st_push` and the scheduled task do)."""
    pending = overrides_needing_push()
    if tenant_id is not None:
        pending = pending.filter(tenant_id=tenant_id)
    if dry_run:
        result = PushResult(dry_run=True)
        counts = defaultdict(int)
        for item_type in pending.values_list("item_type", flat=True):
            counts[item_type] += 1
        for item_type, count in sorted(counts.items()):
            bulk = _uses_bulk(item_kind(item_type), count, mode)
            how = f"bulk, {-(-count // batch_size())} batch(es)" if bulk else "one by one"
            result.plan.append(f"{count} {item_type} override(s) would be pushed ({how})")
        from pricebook.services.reprice import approved_batches_waiting

        result.plan.extend(approved_batches_waiting())
        return result
    release_stale_pushes()
    for item_type in ITEM_KINDS:
        flag_conflicts(item_type)
    result = push_overrides(list(pending.values_list("pk", flat=True)), client=client, mode=mode)
    # Approved reprice batches are pending overrides (pushed above); settled here too when nothing was pending.
    result.batches_pushed = sorted(set(result.batches_pushed) | set(_settle_batches()))
    return result
