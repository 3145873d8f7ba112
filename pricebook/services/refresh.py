"""Re-reading pricebook items from ServiceTitan into the mirror by id (the admin's "refresh from ServiceTitan", and the
push for pushed items the "changed since" listing did not bring)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from pricebook.selectors import ItemKind, item_kind
from pricebook.services.conflicts import flag_conflicts
from servicetitan.registry import get_resource
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
            for page in client.iter_pages(
                kind.resource_key, include_inactive=True, params={"ids": ",".join(map(str, group))}
            ):
                read |= ids_of(store_records(kind.resource_key, page.items, tenant_id, origin=origin))
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
