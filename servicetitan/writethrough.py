"""Write-through: send one write to ServiceTitan, then store ServiceTitan's answer in the mirror at once.

The mirror never guesses: what is stored is ServiceTitan's own answer (or the record read back when the write
answers without a body, like a job cancel), through the same upsert a sync uses, so raw and master stay in step.
Errors are the client's (`servicetitan.client.errors`); the REST layer turns them into responses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from servicetitan.client import ServiceTitanClient, get_client
from servicetitan.sync.streams import all_streams
from servicetitan.sync.upsert import upsert_records


def store_records(stream_key: str, payloads: Iterable[dict], tenant_id: int, *, origin: object = None) -> list[dict]:
    """Upserts ServiceTitan records (raw + master + relations, one page write for all of them, in one transaction);
    returns the records stored. `origin` names what caused the change (the push: `Stream.before_master`)."""
    payloads = [p for p in payloads if isinstance(p, dict) and p.get("id") is not None]
    if payloads:
        upsert_records(all_streams()[stream_key], payloads, tenant_id, origin=origin)
    return payloads


def store_answers(stream_key: str, payloads: Iterable[dict], tenant_id: int, *, origin: object = None) -> list:
    """Upserts ServiceTitan records (raw + master) and returns their master rows, in the given order."""
    payloads = store_records(stream_key, payloads, tenant_id, origin=origin)
    if not payloads:
        return []
    master = all_streams()[stream_key].master()
    to_st_id = master._meta.get_field("st_id").to_python
    st_ids = [to_st_id(p["id"]) for p in payloads]
    rows = {row.st_id: row for row in master.objects.filter(tenant_id=tenant_id, st_id__in=st_ids)}
    return [rows[st_id] for st_id in st_ids]


def write_through(
    stream_key: str,
    send: Callable[[ServiceTitanClient], dict | None],
    *,
    read_back_id: int | str | None = None,
    client: ServiceTitanClient | None = None,
):
    """Calls `send(client)`; stores its answer (or, without one, the record `read_back_id` read back); returns the
    master row."""
    client = client or get_client()
    answer = send(client)
    if not (isinstance(answer, dict) and answer.get("id") is not None):
        if read_back_id is None:
            raise ValueError(f"{stream_key}: ServiceTitan answered without a record and there is nothing to read back")
        answer = client.get(stream_key, read_back_id)
    return store_answers(stream_key, [answer], client.tenant_id)[0]
