"""Writing ServiceTitan records into raw + master rows, in bulk, one page at a time.

For a page: expand the records (a category tree becomes one record per category), hash each payload, load the page's
existing (st_id, hash, active, deleted) in one query, then upsert only what changed — raw rows, master rows (mapped by
the master model's `st_mapping`: in SQL from the raw rows on PostgreSQL, in Python elsewhere) and the stream's
relations (`after_page`). Unchanged records cost no write. On PostgreSQL a page none of whose records is mirrored yet
(a first sync) is COPYed straight into the raw table, at the database's own pace; other pages go through a staging
table and one `INSERT … ON CONFLICT` merge.

`write_page` does not open a transaction: the engine wraps it with the page's cursor in one. `upsert_records` is the
same write in a transaction of its own, for ServiceTitan's answers to LAZI's writes (the push).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache

import orjson
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from servicetitan.conversions import boolean_or_none, utc_datetime
from servicetitan.sync.bulk import PreSerializedJSON, insert_rows, upsert_rows
from servicetitan.sync.sql_mapping import maps_in_sql, merge_master_from_raw
from servicetitan.sync.streams import PageChanges, Stream

logger = logging.getLogger(__name__)

# Keys under which a payload says the record was deleted in ServiceTitan (export answers keep deleted records).
DELETED_MARKERS = ("deleted", "isDeleted")
UNIQUE = ("tenant_id", "st_id")
RAW_UPDATE_FIELDS = ["payload", "payload_hash", "st_modified_on", "active", "deleted", "fetched_at"]
# Raw rows a rebuild reads at a time (memory stays flat however many rows there are).
REBUILD_CHUNK = 2000


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Transitions caused by this write: active → inactive, and not deleted → deleted.
    deactivated: int = 0
    deleted: int = 0
    # Records written with a value that did not fit its column (`RecordProblem`).
    problems: int = 0

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self

    @property
    def written(self) -> int:
        return self.created + self.updated


# The fallback for what orjson refuses (integers beyond 64 bits); built once, not per record.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_json(payload: dict) -> str:
    """The payload as JSON with sorted keys: what the hash is computed from, and what is stored.

    orjson: serialising every record is the largest cost of a page write after the database's own work.
    """
    try:
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS, default=str).decode()
    except orjson.JSONEncodeError:
        return _CANONICAL.encode(payload)


def canonical_json_and_hash(payload: dict) -> tuple[str, str]:
    """`canonical_json` and `payload_hash` of a payload in one pass: serialised once, hashed from the same bytes."""
    try:
        data = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS, default=str)
    except orjson.JSONEncodeError:
        data = _CANONICAL.encode(payload).encode()
    return data.decode(), hashlib.blake2b(data, digest_size=20).hexdigest()


def payload_hash(payload: dict, text: str | None = None) -> str:
    """A digest of the payload independent of key order."""
    text = canonical_json(payload) if text is None else text
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def is_deleted_payload(payload: dict) -> bool:
    return any(payload.get(marker) is True for marker in DELETED_MARKERS)


def is_active_payload(payload: dict) -> bool:
    """The record's `active` as the master's column reads it: a boolean (JSON's, 0/1 or its texts), and active when
    the key is missing, null or junk (a payment may say `"active": null`; that is no deactivation)."""
    value = payload.get("active", True)
    if value is True or value is False:
        return value
    read = boolean_or_none(value)
    return True if read is None else read


def st_id_of(model: type[models.Model]):
    """The model's ServiceTitan id from a payload's `id`: an int for most, a GUID string for a few (contacts)."""
    return model._meta.get_field("st_id").to_python


def expand_records(stream: Stream, payloads: Iterable[dict]) -> list[tuple[object, dict]]:
    """The page's records as stored, as (st_id, record): expanded by the stream, one per id (the last one wins, as
    the newest)."""
    to_st_id = st_id_of(stream.raw())
    by_id: dict = {}
    for payload in payloads:
        for record in stream.expand(payload) if stream.expand else (payload,):
            if record.get("id") is None:
                continue
            try:
                st_id = to_st_id(record["id"])
            except (ValidationError, TypeError, ValueError):
                # Without a usable id a record cannot be stored at all; the rest of the page still is.
                logger.warning(
                    "%s: a record with an unusable id (%s) was skipped", stream.key, type(record["id"]).__name__
                )
                continue
            by_id.pop(st_id, None)  # re-insert so the order follows the last occurrence
            by_id[st_id] = record
    return list(by_id.items())


@cache
def master_update_fields(master: type[models.Model]) -> list[str]:
    columns = [column for column, _, _ in master.compiled_mapping() if column != "st_id"]
    return [*columns, "deleted", "synced_at"]


def write_master(stream: Stream, records: list[tuple[dict, bool]], tenant_id: int, now: datetime, *, run=None) -> int:
    """Upsert master rows for (payload, deleted) pairs, then the stream's relations for those payloads. Returns how
    many records had a value that did not fit its column (recorded as `RecordProblem`s)."""
    if not records:
        return 0
    master = stream.master()
    values_and_problems = master.values_and_problems
    rows, problems = [], {}
    for payload, deleted in records:
        values, found = values_and_problems(payload)
        rows.append({**values, "tenant_id": tenant_id, "deleted": deleted, "synced_at": now})
        if found:
            problems[values["st_id"]] = found
    upsert_rows(master, rows, unique=UNIQUE, update=master_update_fields(master))
    store_problems(master, tenant_id, [row["st_id"] for row in rows], problems, run=run, now=now)
    run_after_page(stream, [payload for payload, _ in records], tenant_id)
    return len(problems)


def describe_flagged(master, flagged: list[tuple[object, dict, list[str]]]) -> dict:
    """The problems of the records the SQL mapping flagged, as {st_id: [(column, value, why)]}: described by the
    Python mapping, which applies the same rules (the SQL's own verdict is kept if the two ever disagree)."""
    problems = {}
    for st_id, payload, columns in flagged:
        _, found = master.values_and_problems(payload)
        described = {column for column, _, _ in found}
        found += [(column, None, "does not fit this column") for column in columns if column not in described]
        problems[st_id] = found
    return problems


def store_problems(master, tenant_id: int, st_ids: list, problems: dict, *, run=None, now=None) -> None:
    """Replace the recorded problems of the records just written (`st_ids`) by `problems` ({st_id: [...]})."""
    from servicetitan.models import RecordProblem

    label = master._meta.label_lower
    existing = RecordProblem.objects.filter(model=label, tenant_id=tenant_id)
    if problems or existing.exists():
        existing.filter(st_id__any_of=[str(st_id) for st_id in st_ids]).delete()
    if not problems:
        return
    now = now or timezone.now()
    RecordProblem.objects.bulk_create(
        RecordProblem(
            model=label,
            tenant_id=tenant_id,
            st_id=str(st_id),
            column=column,
            value=_shorten(value),
            message=message[:255],
            run=run,
            seen_at=now,
        )
        for st_id, found in problems.items()
        for column, value, message in found
    )


def _shorten(value) -> str:
    from servicetitan.models import RecordProblem

    text = canonical_json({"v": value})[5:-1] if value is not None else ""
    limit = RecordProblem.VALUE_CHARS
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def run_after_page(stream: Stream, payloads: list[dict], tenant_id: int) -> None:
    if stream.after_page:
        stream.after_page(stream.master(), payloads, tenant_id)


def existing_raw_rows(raw_model, tenant_id: int, st_ids: list) -> dict:
    """{st_id: (payload hash, active, deleted)} of the page's records already mirrored, in one query."""
    rows = raw_model.objects.filter(tenant_id=tenant_id, st_id__any_of=st_ids)
    return {st_id: rest for st_id, *rest in rows.values_list("st_id", "payload_hash", "active", "deleted")}


def insert_new_raw_rows(raw_model, raw_rows: list[dict]) -> tuple[int, int] | None:
    """PostgreSQL: COPY raw rows none of which is mirrored straight into the raw table (what a first sync writes,
    at the database's own pace). Returns the primary keys they took, as the range (after, up to) the master merge
    reads; None, with nothing written, when one of them was mirrored meanwhile (a concurrent write of ServiceTitan's
    answer): the caller merges through staging instead."""
    table = connection.ops.quote_name(raw_model._meta.db_table)
    with connection.cursor() as cursor:
        # Keys come from the table's sequence, so this page's rows take keys above every row visible now (the range
        # may also hold a concurrent writer's rows: mapping them again from their raw rows changes nothing).
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM {table}')  # noqa: S608 - quoted model metadata
        before = cursor.fetchone()[0]
        try:
            with transaction.atomic():  # a savepoint: a unique violation leaves the page's transaction usable
                insert_rows(raw_model, raw_rows)
        except IntegrityError:
            return None
        cursor.execute(f'SELECT MAX("id") FROM {table}')  # noqa: S608 - quoted model metadata
        return before, cursor.fetchone()[0]


def write_page(
    stream: Stream,
    payloads: Iterable[dict],
    tenant_id: int,
    *,
    now: datetime | None = None,
    touch_unchanged: bool = False,
    origin: object = None,
    run=None,
) -> UpsertResult:
    """Store one page of ServiceTitan records (raw + master + relations). Call inside a transaction.

    `touch_unchanged` stamps `fetched_at` on unchanged rows too, so a complete pass can afterwards mark every row it
    did not see as deleted. `origin` is handed to the stream's `before_master` hook (None: a sync).
    """
    now = now or timezone.now()
    records = expand_records(stream, payloads)
    result = UpsertResult()
    if not records:
        return result
    raw_model = stream.raw()
    existing = existing_raw_rows(raw_model, tenant_id, [st_id for st_id, _ in records])
    # A deleted marker may carry only a few fields: keep the last known values beneath it, so nothing is lost.
    markers = [st_id for st_id, r in records if st_id in existing and is_deleted_payload(r)]
    previous = (
        dict(raw_model.objects.filter(tenant_id=tenant_id, st_id__any_of=markers).values_list("st_id", "payload"))
        if markers
        else {}
    )

    raw_rows, master_records, unchanged_ids, changed = [], [], [], []
    postgres = connection.vendor == "postgresql"
    for st_id, record in records:
        deleted = is_deleted_payload(record)
        if deleted and st_id in previous:
            record = {**previous[st_id], **record}
        text, digest = canonical_json_and_hash(record)
        active = is_active_payload(record)
        before = existing.get(st_id)
        if before is not None and before[0] == digest and before[2] == deleted:
            result.unchanged += 1
            unchanged_ids.append(st_id)
            continue
        if before is None:
            result.created += 1
        else:
            result.updated += 1
            result.deactivated += before[1] and not active
            changed.append((st_id, record, deleted))
        result.deleted += deleted and (before is None or not before[2])
        raw_rows.append(
            {
                "tenant_id": tenant_id,
                "st_id": st_id,
                "payload": PreSerializedJSON(text) if postgres else record,
                "payload_hash": digest,
                "st_modified_on": utc_datetime(record.get("modifiedOn")),
                "active": active,
                "deleted": deleted,
                "fetched_at": now,
            }
        )
        master_records.append((record, deleted))

    if raw_rows:
        master = stream.master()
        new_rows = None
        if postgres and not existing and maps_in_sql(master):
            # Every record is new (a first sync): its raw rows go straight into the table, no staging, no merge.
            new_rows = insert_new_raw_rows(raw_model, raw_rows)
        stage = None
        if new_rows is None:
            stage = upsert_rows(raw_model, raw_rows, unique=UNIQUE, update=RAW_UPDATE_FIELDS)
        if stream.before_master and changed:
            stream.before_master(master, PageChanges(tenant_id, now, changed, stage, origin))
        if (stage is not None or new_rows is not None) and maps_in_sql(master):
            # PostgreSQL maps the master rows from the raw rows it just took: no second set of rows to build and COPY.
            if new_rows is not None:
                source, pk_range = connection.ops.quote_name(raw_model._meta.db_table), new_rows
            else:
                source, pk_range = stage, None
            flagged = merge_master_from_raw(master, source, master_update_fields(master), pk_range=pk_range)
            problems = describe_flagged(
                master, [(st_id, payload, bad) for tid, st_id, payload, bad in flagged if tid == tenant_id]
            )
            store_problems(master, tenant_id, [row["st_id"] for row in raw_rows], problems, run=run, now=now)
            result.problems += len(problems)
            run_after_page(stream, [record for record, _ in master_records], tenant_id)
        else:
            result.problems += write_master(stream, master_records, tenant_id, now, run=run)
    if touch_unchanged and unchanged_ids:
        raw_model.objects.filter(tenant_id=tenant_id, st_id__any_of=unchanged_ids).update(fetched_at=now)
    return result


def rebuild_stream(stream: Stream, *, tenant_id: int | None = None) -> int:
    """Rebuild the stream's master rows from its raw rows: one tenant's (`tenant_id`), or every tenant's."""
    raw, master = stream.raw(), stream.master()
    raw_table = connection.ops.quote_name(raw._meta.db_table)
    in_sql = maps_in_sql(master)
    # PostgreSQL maps in SQL: payloads are read into Python only for the stream's relations, if it has any.
    columns = ("pk", "tenant_id", "st_id", "deleted", *(("payload",) if stream.after_page or not in_sql else ()))
    count, last_pk, tenants = 0, 0, set()
    rows = raw.objects.all() if tenant_id is None else raw.objects.filter(tenant_id=tenant_id)
    while True:
        # Chunks by primary key: memory stays flat however many rows there are.
        chunk = list(rows.filter(pk__gt=last_pk).order_by("pk").values_list(*columns)[:REBUILD_CHUNK])
        if not chunk:
            break
        pk_range, last_pk = (last_pk, chunk[-1][0]), chunk[-1][0]
        by_tenant: dict[int, list[tuple[dict, bool]]] = {}
        st_ids: dict[int, list] = {}
        for _, row_tenant, st_id, deleted, *rest in chunk:
            by_tenant.setdefault(row_tenant, []).append((rest[0] if rest else None, deleted))
            st_ids.setdefault(row_tenant, []).append(st_id)
        now = timezone.now()
        with transaction.atomic():
            if in_sql:
                # The chunk's master rows in one statement, straight from the raw table.
                flagged = merge_master_from_raw(
                    master,
                    raw_table,
                    master_update_fields(master),
                    synced_at=now,
                    pk_range=pk_range,
                    tenant_id=tenant_id,
                )
                for row_tenant, ids in st_ids.items():
                    mine = [(st_id, payload, bad) for tid, st_id, payload, bad in flagged if tid == row_tenant]
                    store_problems(master, row_tenant, ids, describe_flagged(master, mine), now=now)
                if stream.after_page:
                    for row_tenant, records in by_tenant.items():
                        run_after_page(stream, [payload for payload, _ in records], row_tenant)
            else:
                for row_tenant, records in by_tenant.items():
                    write_master(stream, records, row_tenant, now)
        tenants.update(by_tenant)
        count += len(chunk)
    if stream.after_run:
        for row_tenant in sorted(tenants):
            stream.after_run(row_tenant)
    return count


def upsert_records(stream: Stream, payloads: list[dict], tenant_id: int, *, origin: object = None) -> UpsertResult:
    """Write ServiceTitan's records (e.g. its answer to a PATCH) into raw + master + relations, in one transaction.
    `origin`: what caused the change (see `Stream.before_master`), None for what ServiceTitan did by itself."""
    with transaction.atomic():
        return write_page(stream, payloads, tenant_id, origin=origin)
