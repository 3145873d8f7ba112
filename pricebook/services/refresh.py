"""Re-reading pricebook items from ServiceTitan into the mirror by id (the admin's "refresh from ServiceTitan", and the
push for pushed items the "changed since" listing did not bring)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import orjson
from django.db import connection, transaction
from django.utils import timezone

from pricebook.selectors import ItemKind, item_kind
from pricebook.services.conflicts import flag_conflicts
from pricebook.services.history import TRACKED, record_known_changes
from servicetitan.conversions import BadValue, utc_datetime
from servicetitan.models import RecordProblem
from servicetitan.registry import get_resource
from servicetitan.sync.bulk import PreSerializedJSON, update_rows
from servicetitan.sync.relations import master_ids
from servicetitan.sync.streams import all_streams
from servicetitan.sync.upsert import (
    RAW_UPDATE_FIELDS,
    canonical_json_and_hash,
    expand_records,
    is_active_payload,
    is_deleted_payload,
)
from servicetitan.writethrough import store_records

# The list endpoint's `ids` filter takes at most 50 ids.
IDS_PER_LOOKUP = 50


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def ids_of(payloads: Iterable) -> set:
    return {item["id"] for item in payloads if isinstance(item, dict) and "id" in item}


def read_by_ids(client, kind: ItemKind, st_ids: Iterable[int], tenant_id: int, *, origin: object = None) -> set[int]:
    """Read these items (through the list endpoint's `ids` filter, 50 per request; one GET each where there is none)
    and store them, one page write per answer; returns the ids read."""
    st_ids = sorted(set(st_ids))
    read: set[int] = set()
    if "ids" in get_resource(kind.resource_key).list_query:
        for group in batched(st_ids, IDS_PER_LOOKUP):
            wanted = set(group)
            for page in client.iter_pages(
                kind.resource_key, include_inactive=True, params={"ids": ",".join(map(str, group))}
            ):
                # Only the items asked for: anything else on the page is not what this read (a push's read-back,
                # with its history) is about; a sync brings it.
                items = [item for item in page.items if isinstance(item, dict) and item.get("id") in wanted]
                read |= ids_of(store_records(kind.resource_key, items, tenant_id, origin=origin))
    else:
        for st_id in st_ids:
            store_records(kind.resource_key, [client.get(kind.resource_key, st_id)], tenant_id, origin=origin)
            read.add(st_id)
    return read


def refresh_from_servicetitan(
    item_type: str, st_ids: Iterable[int], *, client=None, tenant_id: int | None = None
) -> int:
    """Re-read these items from ServiceTitan into the mirror now (by ids, 50 per request; categories one by one).

    Returns how many were read. A newer record puts a pending override in conflict."""
    if client is None:
        from servicetitan.client import get_client

        client = get_client()
    kind = item_kind(item_type)
    tenant_id = tenant_id or client.tenant_id
    st_ids = set(st_ids)
    read = read_by_ids(client, kind, st_ids, tenant_id)
    flag_conflicts(item_type, read, tenant_id)
    return len(read & st_ids)


# The keys the item streams' relation step reads (`pricebook.streams`: categories, and the services' and equipment's
# links): a re-read that changes one of them goes through the engine's page write, which replaces the relations.
RELATION_KEYS = frozenset(
    {"categories", "serviceMaterials", "serviceEquipment", "recommendations", "upgrades", "equipmentMaterials"}
)


def write_back_pushed(
    kind: ItemKind, payloads: Iterable[dict], tenant_id: int, *, origin: object, pushed_from: dict
) -> list[dict]:
    """Store a re-read page of pushed items exactly as a sync's page write would (`store_records`), with less work
    for the items whose relations the push did not change.

    `pushed_from`: st_id -> (payload, payload hash) of the raw records the push was built from. A record qualifies
    for the lean write when the mirror still holds that raw row (same hash, not deleted), it is no deleted marker,
    none of the keys its relations come from (`RELATION_KEYS`) changed, it has no recorded problems and the values
    that changed fit their columns: its raw row
    and the master columns mapped from the keys that changed are updated in place, its price history is recorded
    with the push's origin, and the relations stay as they are (the page write would rebuild them identical). Services' rolled-up costs follow a changed cost, and conflicts are
    flagged, like a sync's. Anything else goes through the engine's page write. Returns the records stored."""
    payloads = [p for p in payloads if isinstance(p, dict) and p.get("id") is not None]
    if not payloads:
        return payloads
    stream = all_streams()[kind.resource_key]
    master = stream.master()
    records = expand_records(stream, payloads)
    # st_id -> (pk, payload hash, deleted) of the raw rows held now, in one query.
    held = {
        st_id: rest
        for st_id, *rest in stream.raw()
        .objects.filter(tenant_id=tenant_id, st_id__any_of=[st_id for st_id, _ in records])
        .values_list("st_id", "pk", "payload_hash", "deleted")
    }
    candidates, full, touched = [], [], set()
    for st_id, record in records:
        before, current = pushed_from.get(st_id), held.get(st_id)
        if current is None or current[2] or is_deleted_payload(record):
            full.append(record)
            continue
        text, digest = canonical_json_and_hash(record)
        if digest == current[1]:
            continue  # the page write's own rule: an unchanged record is not written (an item re-read again, too)
        if before is None or current[1] != before[1]:
            full.append(record)
            continue
        differing = _differing_keys(before[0], record)
        if differing & RELATION_KEYS:
            full.append(record)
            continue
        touched |= differing
        candidates.append((st_id, current[0], record, before[0], text, digest))
    lean = []
    if candidates:
        # Only the columns mapped from keys that changed (and any computed from the whole record, and the tracked
        # prices the history compares) are converted: the others hold what they held, problems included, so a
        # record with recorded problems takes the page write.
        converters = [
            (column, read, convert)
            for (column, read, convert), (_, source, _) in zip(
                master._converters(), master.compiled_mapping(), strict=True
            )
            if column != "st_id" and (callable(source) or source.split(".")[0] in touched or column in TRACKED)
        ]
        with_problems = set(
            RecordProblem.objects.filter(
                model=master._meta.label_lower,
                tenant_id=tenant_id,
                st_id__any_of=[str(st_id) for st_id, *_ in candidates],
            ).values_list("st_id", flat=True)
        )
        for st_id, pk, record, old, text, digest in candidates:
            try:
                values = {column: convert(read(record)) for column, read, convert in converters}
            except BadValue:
                values = None
            if values is None or str(st_id) in with_problems:
                full.append(record)
            else:
                lean.append((st_id, pk, record, old, values, text, digest))
    with transaction.atomic():
        if full:
            store_records(kind.resource_key, full, tenant_id, origin=origin)
        if lean:
            _write_lean(stream, master, lean, [column for column, *_ in converters], tenant_id, origin)
    return payloads


def _differing_keys(old: dict, new: dict) -> set[str]:
    """The top-level keys whose values differ, exactly (1, 1.0 and True differ; so do lists equal but for that)."""
    found = set()
    for key in old.keys() | new.keys():
        a, b = old.get(key), new.get(key)
        if a is b:
            continue
        if (
            a != b
            or type(a) is not type(b)
            or (
                isinstance(a, dict | list)
                and orjson.dumps(a, option=orjson.OPT_SORT_KEYS) != orjson.dumps(b, option=orjson.OPT_SORT_KEYS)
            )
        ):
            found.add(key)
    return found


def _write_lean(stream, master, lean: list, columns: list[str], tenant_id: int, origin: object) -> None:
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    raw_rows = []
    for _, pk, record, _, _, text, digest in lean:
        raw_rows.append(
            {
                "id": pk,
                "payload": PreSerializedJSON(text) if postgres else record,
                "payload_hash": digest,
                "st_modified_on": utc_datetime(record.get("modifiedOn")),
                "active": is_active_payload(record),
                "deleted": False,
                "fetched_at": now,
            }
        )
    update_rows(stream.raw(), raw_rows, RAW_UPDATE_FIELDS)
    if stream.before_master:
        # The item streams' history hook (`record_page_history`), from the values mapped already (the master rows
        # still hold the previous ones).
        record_known_changes(master, tenant_id, now, origin, {st_id: values for st_id, _, _, _, values, *_ in lean})
    st_ids = [st_id for st_id, *_ in lean]
    owners = master_ids(master, tenant_id, st_ids)
    update_rows(
        master,
        [
            {"id": owners[st_id], **{name: values[name] for name in columns}, "synced_at": now}
            for st_id, _, _, _, values, *_ in lean
        ],
        [*columns, "synced_at"],
    )
    from pricebook.streams import flag_override_conflicts, refresh_costs  # the streams import the services

    costly = {st_id: owners[st_id] for st_id, _, record, old, *_ in lean if record.get("cost") != old.get("cost")}
    if costly:
        refresh_costs(master, [record for st_id, _, record, *_ in lean if st_id in costly], tenant_id, costly)
    flag_override_conflicts(master, [record for _, _, record, *_ in lean], tenant_id)
