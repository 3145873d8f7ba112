"""Helpers for the sync engine's tests: what the mirror should hold, compared with what the simulator serves."""

from __future__ import annotations

import threading
from collections import Counter

from servicetitan.sync.streams import all_streams

PRICEBOOK = (
    "pricebook.categories",
    "pricebook.markup-tiers",
    "pricebook.materials",
    "pricebook.equipment",
    "pricebook.services",
)


def expected_payloads(server, key: str, kind: str = "export") -> dict[int, dict]:
    """Every record of `key` as the endpoint `kind` shows it, inactive and deleted ones included, by id.

    Categories are stored one row per category without their nested `subcategories` (the tree is in the rows).
    """
    dataset = server.dataset
    expected = {}
    for record in dataset.records(key):
        view = dict(dataset.view(key, record, kind))
        if key == "pricebook.categories":
            view.pop("subcategories", None)
        expected[int(view["id"])] = view
    return expected


def assert_mirror_equals(server, keys=PRICEBOOK, *, tenant_id: int | None = None, kind: str = "export") -> None:
    """Raw rows hold exactly the simulator's records (field for field), master rows their mapped values."""
    from devtools.simulator import DEMO_TENANT_ID

    tenant_id = tenant_id or DEMO_TENANT_ID
    streams = all_streams()
    for key in keys:
        stream = streams[key]
        raw, master = stream.raw(), stream.master()
        expected = expected_payloads(server, key, kind)
        rows = list(raw.objects.filter(tenant_id=tenant_id).values_list("st_id", "payload", "active"))
        duplicates = [st_id for st_id, n in Counter(st_id for st_id, _, _ in rows).items() if n > 1]
        assert not duplicates, f"{key}: duplicate raw rows {duplicates[:5]}"
        stored = {st_id: payload for st_id, payload, _ in rows}
        assert set(stored) == set(expected), (
            f"{key}: missing {sorted(set(expected) - set(stored))[:5]}, extra {sorted(set(stored) - set(expected))[:5]}"
        )
        for st_id, payload in expected.items():
            assert stored[st_id] == payload, f"{key} {st_id}: raw payload differs from the simulator's"
        for st_id, _, active in rows:
            assert active == bool(expected[st_id].get("active", True)), f"{key} {st_id}: raw active flag"

        columns = [column for column, _, _ in master.compiled_mapping()]
        masters = {row["st_id"]: row for row in master.objects.filter(tenant_id=tenant_id).values(*columns)}
        assert set(masters) == set(expected), f"{key}: master rows differ from raw rows"
        for st_id, payload in expected.items():
            want = master.values_from_payload(payload)
            got = masters[st_id]
            for column in columns:
                assert got[column] == want[column], f"{key} {st_id}.{column}: {got[column]!r} != {want[column]!r}"


class BlockingProgress:
    """A progress listener that parks the run after its first page until released (for concurrency tests)."""

    def __init__(self):
        self.parked = threading.Event()
        self.release = threading.Event()

    def started(self, stream, run):
        pass

    def page(self, stream, run, records):
        self.parked.set()
        assert self.release.wait(30), "never released"

    def finished(self, stream, run):
        pass


class CrashAfter:
    """A progress listener that raises after `pages` pages: a crash inside the page loop."""

    class Crash(Exception):
        pass

    def __init__(self, pages: int):
        self.pages = pages
        self.seen = 0

    def started(self, stream, run):
        pass

    def page(self, stream, run, records):
        self.seen += 1
        if self.seen >= self.pages:
            raise self.Crash(f"simulated crash after {self.seen} pages")

    def finished(self, stream, run):
        pass
