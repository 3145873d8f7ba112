"""The simulated tenant's data: records per resource, a change log for exports, and changes on request.

Records are plain dicts shaped like ServiceTitan's answers. Each resource is generated on first use from
(scale, seed) only, so the data is the same whatever is asked first. Every change — a write through the API or a
`modify/deactivate/create/delete` — gives the record a new `modifiedOn` from a clock that never goes back (the wall
clock, or one microsecond after the previous change) and a new sequence number in the resource's change log; export
tokens are positions in that log. Records are replaced, never edited in place, so a page being serialized outside the
lock never sees half a change.
"""

from __future__ import annotations

import random
import threading
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from devtools.simulator.constants import DEMO_TENANT_ID
from devtools.simulator.generators import COUNTS, FIXED_COUNTS, Generators, contact_id, id_base
from devtools.simulator.shapes import shape_of
from servicetitan.registry import get_resource

SIMULATED_KEYS = tuple(COUNTS)
# Resources whose records hold lines (`items`) whose total a benchmark can set (`Dataset(lines=...)`).
LINE_KEYS = ("accounting.invoices", "sales.estimates")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY_US = 86_400_000_000
YEAR_US = 365 * DAY_US


def format_us(us: int) -> str:
    """ServiceTitan's UTC timestamps: `2026-01-31T14:05:09.123456Z`; one format, so strings compare like times."""
    return (EPOCH + timedelta(microseconds=us)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_datetime(value: str) -> int:
    """Microseconds since the epoch from an ISO date or date-time (naive means UTC). Raises ValueError."""
    value = value.strip()
    if len(value) == 10:
        moment = datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    else:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+", 1) if "T" in value else value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def canonical(value: str) -> str:
    """A query's date-time in the records' format, for string comparison."""
    return format_us(parse_datetime(value))


@dataclass
class Collection:
    key: str
    records: dict = field(default_factory=dict)  # id -> record, in id order
    deleted: set = field(default_factory=set)
    seq_of: dict = field(default_factory=dict)  # id -> its latest change sequence number
    log_seq: list = field(default_factory=list)  # change log, ascending; stale entries are skipped on read
    log_id: list = field(default_factory=list)
    last_seq: int = 0
    version: int = 0
    next_index: int = 0
    list_cache: dict = field(default_factory=dict)


class GeneratedRecords(MutableMapping):
    """id -> record of an on-demand collection: record `index` is generated each time it is read (from its own
    `random.Random`, so any record can be made alone); only records changed since (writes, mutations, creates) are
    stored. Iterates in id order like a generated collection's dict."""

    def __init__(self, dataset: Dataset, key: str, count: int):
        self.dataset, self.key, self.count = dataset, key, count
        self.changed: dict = {}

    def index_of(self, record_id) -> int | None:
        """The generated index of an id (None when the id is not one of the `count` generated records)."""
        if not isinstance(record_id, int):
            return None
        index, rest = divmod(record_id - self.dataset.id_at(self.key, 0), self.dataset.step(self.key))
        return index if rest == 0 and 0 <= index < self.count else None

    def __getitem__(self, record_id) -> dict:
        found = self.changed.get(record_id)
        if found is not None:
            return found
        index = self.index_of(record_id)
        if index is None:
            raise KeyError(record_id)
        return self.dataset.generate_on_demand(self.key, index, self.count)

    def __setitem__(self, record_id, record: dict) -> None:
        self.changed[record_id] = record

    def __delitem__(self, record_id) -> None:
        raise TypeError("simulated records are never removed (deleted ones stay, marked)")

    def __contains__(self, record_id) -> bool:
        return record_id in self.changed or self.index_of(record_id) is not None

    def __iter__(self) -> Iterator:
        id_at = self.dataset.id_at
        for index in range(self.count):
            yield id_at(self.key, index)
        yield from sorted(record_id for record_id in self.changed if self.index_of(record_id) is None)

    def __len__(self) -> int:
        return self.count + sum(1 for record_id in self.changed if self.index_of(record_id) is None)


class GeneratedSeqs(dict):
    """id -> latest change sequence of an on-demand collection: record `index`'s first change is `index + 1` (its
    initial log is in index order, which is modifiedOn order); later changes are stored."""

    def __init__(self, records: GeneratedRecords):
        super().__init__()
        self.records = records

    def get(self, record_id, default=None):
        if dict.__contains__(self, record_id):
            return dict.__getitem__(self, record_id)
        index = self.records.index_of(record_id)
        return default if index is None else index + 1


@dataclass(frozen=True)
class ListFilter:
    active: str | None = None  # "true" | "false" | None (any)
    modified_on_or_after: str | None = None
    modified_before: str | None = None
    created_on_or_after: str | None = None
    created_before: str | None = None
    ids: frozenset | None = None
    equals: tuple = ()  # ((field, value), ...)


@dataclass
class ExportBatch:
    records: list
    last_seq: int
    has_more: bool


class Dataset:
    def __init__(
        self,
        scale: float = 0.01,
        seed: int = 1,
        *,
        tenant_id: int = DEMO_TENANT_ID,
        anchor: datetime | None = None,
        export_batch_size: int = 500,
        counts: dict[str, int] | None = None,
        lines: dict[str, int] | None = None,
        on_demand: Iterable[str] = (),
    ):
        on_demand = frozenset(on_demand)
        for name, keys in (("counts", counts or ()), ("lines", lines or ()), ("on_demand", on_demand)):
            unknown = set(keys) - set(SIMULATED_KEYS)
            if unknown:
                raise ValueError(f"unknown resource(s) in {name}: {', '.join(sorted(unknown))}")
        without_lines = set(lines or ()) - set(LINE_KEYS)
        if without_lines:
            raise ValueError(f"resource(s) without lines: {', '.join(sorted(without_lines))} (lines: {LINE_KEYS})")
        # Exact record counts for some resources (benchmarks: 500k materials without 3M jobs); others follow scale.
        self.counts = dict(counts or {})
        # Exact line counts (an invoice's or estimate's `items`) over a whole resource, spread evenly over its
        # records; without one, each record draws 1-4 lines.
        self.lines = dict(lines or {})
        # Resources generated record by record when read, never held whole (benchmarks: 200,000 invoices).
        self.on_demand = on_demand
        self.scale = scale
        self.seed = seed
        self.tenant_id = tenant_id
        self.export_batch_size = export_batch_size
        if anchor is None:
            # Today (UTC midnight): the data is "the past year" yet identical for a given scale and seed all day.
            anchor = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        elif anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=UTC)
        self.anchor_us = parse_datetime(anchor.isoformat())
        self.lock = threading.RLock()
        self._clock_us = self.anchor_us
        self._collections: dict[str, Collection] = {}
        self._generating: set[str] = set()
        self._mutation_rng = random.Random(f"{seed}:mutations")
        # Ids from each resource's key alone (never from its place in a listing): `id_base` and a step per key.
        self._bases = {key: id_base(key) for key in SIMULATED_KEYS}
        self._steps = {key: 3 + zlib.crc32(f"{seed}:{key}".encode()) % 11 for key in SIMULATED_KEYS}
        self._children_cache: tuple[int, dict] | None = None
        # Category index -> (parent index, type, depth), and the indexes that may take children (depth < 2).
        self.category_tree: dict[int, tuple] = {}
        self.category_parents: list[int] = []
        self._category_ids_cache: dict = {}
        self.generators = Generators(self)
        self.format_us = format_us

    # --- identity and sizes --------------------------------------------------------------------------------------
    def base_count(self, key: str) -> int:
        """How many records a resource is generated with."""
        per_scale, minimum = COUNTS[key]
        count = self.counts[key] if key in self.counts else max(minimum, round(per_scale * self.scale))
        if key in FIXED_COUNTS and key not in self.counts:
            count = FIXED_COUNTS[key]
        if key == "crm.locations":
            # Every customer has at least one location (location i belongs to customer i).
            count = max(count, self.base_count("crm.customers"))
        return count

    def id_at(self, key: str, index: int):
        if key == "crm.contacts":
            return contact_id(self.seed, index)
        return self._bases[key] + index * self._steps[key]

    def step(self, key: str) -> int:
        return self._steps[key]

    def line_count(self, key: str, index: int, rng: random.Random | None = None) -> int:
        """How many lines record `index` of a resource with lines has: its even share of the configured total
        (`lines`: the first `base_count` records hold exactly that many), else a draw of 1-4 from `rng`."""
        total = self.lines.get(key)
        if total is None:
            return rng.randint(1, 4)
        count = max(1, self.base_count(key))
        return (index + 1) * total // count - index * total // count

    def line_total(self, key: str) -> int:
        """The lines the resource's records hold now (deleted records included: the export shows them)."""
        collection = self.collection(key)
        records = collection.records
        if isinstance(records, GeneratedRecords) and key in self.lines:
            # Untouched records hold their share; changed and created ones what they hold.
            shares = self.lines[key] - sum(
                self.line_count(key, index)
                for index in (records.index_of(record_id) for record_id in records.changed)
                if index is not None
            )
            return shares + sum(len(record.get("items") or ()) for record in records.changed.values())
        with self.lock:
            return sum(len(record.get("items") or ()) for record in records.values())

    # --- the clock -----------------------------------------------------------------------------------------------
    def _tick(self) -> str:
        now = datetime.now(UTC) - EPOCH
        wall_us = (now.days * 86_400 + now.seconds) * 1_000_000 + now.microseconds
        self._clock_us = max(wall_us, self._clock_us + 1)
        return format_us(self._clock_us)

    # --- generation ----------------------------------------------------------------------------------------------
    def collection(self, key: str) -> Collection:
        found = self._collections.get(key)
        if found is not None:
            return found
        with self.lock:
            if key not in self._collections:
                self._generate(key)
            return self._collections[key]

    def _generate(self, key: str) -> None:
        if key in self._generating:
            raise RuntimeError(f"circular generation of {key}")
        if key in self.on_demand:
            self._collections[key] = self._on_demand_collection(key)
            return
        self._generating.add(key)
        try:
            rng = random.Random(f"{self.seed}:{key}")
            shape = shape_of(key)
            fields_of = self.generators.fields
            anchor = self.anchor_us
            collection = Collection(key)
            records = collection.records
            for index in range(self.base_count(key)):
                created = anchor - DAY_US // 24 - rng.randrange(YEAR_US)
                modified = created + rng.randrange(anchor - created)
                record = shape.new(fields_of(key, rng, index, format_us(created), format_us(modified)))
                records[record["id"]] = record
            collection.next_index = len(records)
            # The initial change log follows modifiedOn, as ServiceTitan's export does.
            ordered = sorted(records.values(), key=lambda r: (r.get("modifiedOn") or "", str(r["id"])))
            collection.log_id = [record["id"] for record in ordered]
            collection.log_seq = list(range(1, len(ordered) + 1))
            collection.seq_of = dict(zip(collection.log_id, collection.log_seq, strict=True))
            collection.last_seq = len(ordered)
            self._collections[key] = collection
        finally:
            self._generating.discard(key)

    def _on_demand_collection(self, key: str) -> Collection:
        """A collection whose records are made when read (`GeneratedRecords`); its initial change log is the index
        order, kept as two arrays of integers (16 bytes a record)."""
        count = self.base_count(key)
        records = GeneratedRecords(self, key, count)
        collection = Collection(key, records=records, seq_of=GeneratedSeqs(records))
        collection.log_seq = array("q", range(1, count + 1))
        collection.log_id = array("q", (self.id_at(key, index) for index in range(count)))
        collection.last_seq = collection.next_index = count
        return collection

    def generate_on_demand(self, key: str, index: int, count: int) -> dict:
        """Record `index` of an on-demand resource, always the same: its own seeded `random.Random`, and modifiedOn
        rising with the index (evenly over the year before the anchor), so the index order is the export's order."""
        rng = random.Random(f"{self.seed}:{key}:{index}")
        modified = self.anchor_us - DAY_US // 24 - (count - index) * (YEAR_US // max(count, 1))
        created = modified - rng.randrange(30 * DAY_US)
        fields = self.generators.fields(key, rng, index, format_us(created), format_us(modified))
        return shape_of(key).new(fields)

    @staticmethod
    def simulated_keys() -> tuple[str, ...]:
        return SIMULATED_KEYS

    def generate_all(self) -> None:
        for key in SIMULATED_KEYS:
            self.collection(key)

    # --- categories (pricebook items refer to them) --------------------------------------------------------------
    def category_ids(self, kind: str) -> list[int]:
        """Ids of the active categories of a type (`Materials` / `Services`), cached until categories change."""
        collection = self.collection("pricebook.categories")
        cached = self._category_ids_cache.get(kind)
        if cached is None or cached[0] != collection.version:
            ids = [
                r["id"]
                for r in collection.records.values()
                if r["categoryType"] == kind and r["active"] and r["id"] not in collection.deleted
            ]
            cached = self._category_ids_cache[kind] = (collection.version, ids)
        return cached[1]

    def category(self, category_id: int) -> dict | None:
        return self.collection("pricebook.categories").records.get(category_id)

    def _children(self) -> dict:
        collection = self.collection("pricebook.categories")
        if self._children_cache is None or self._children_cache[0] != collection.version:
            children: dict = {}
            for record in collection.records.values():
                if record["id"] not in collection.deleted and record.get("parentId") is not None:
                    children.setdefault(record["parentId"], []).append(record["id"])
            self._children_cache = (collection.version, children)
        return self._children_cache[1]

    def _category_view(self, record: dict, children: dict, records: dict, depth: int = 0) -> dict:
        kids = children.get(record["id"])
        nested = (
            [self._category_view(records[kid], children, records, depth + 1) for kid in kids]
            if kids and depth < 5
            else []
        )
        return {**record, "subcategories": nested}

    # --- reads ---------------------------------------------------------------------------------------------------
    def records(self, key: str) -> list[dict]:
        """Every record of a resource, inactive and deleted ones included, as ServiceTitan would show it."""
        collection = self.collection(key)
        with self.lock:
            if key == "pricebook.categories":
                children = self._children()
                return [self._category_view(r, children, collection.records) for r in collection.records.values()]
            return list(collection.records.values())

    def ids(self, key: str) -> list:
        return list(self.collection(key).records)

    def get(self, key: str, record_id) -> dict | None:
        """The stored record if it still exists (not deleted), else None; categories without their nesting."""
        collection = self.collection(key)
        with self.lock:
            if record_id in collection.deleted:
                return None
            return collection.records.get(record_id)

    def is_deleted(self, key: str, record_id) -> bool:
        return record_id in self.collection(key).deleted

    @staticmethod
    def is_active(key: str, record: dict) -> bool:
        if "active" in record:
            return bool(record["active"])
        if key == "crm.contacts":
            return not record["isArchived"]
        if key == "inventory.purchase-orders":
            return record["status"] != "Canceled"
        return True

    def view(self, key: str, record: dict, kind: str) -> dict:
        """A record as one endpoint (`list`, `get`, `export`) shows it."""
        if key == "pricebook.categories":
            collection = self.collection(key)
            record = self._category_view(record, self._children(), collection.records)
        return shape_of(key).view(record, kind)

    def views(self, key: str, records: Iterable[dict], kind: str) -> list[dict]:
        if key == "pricebook.categories":
            with self.lock:
                children, all_records = self._children(), self.collection(key).records
                records = [self._category_view(record, children, all_records) for record in records]
        shape = shape_of(key)
        if not shape.hidden.get(kind):
            return list(records)
        return [shape.view(record, kind) for record in records]

    def select(self, key: str, criteria: ListFilter) -> list[dict]:
        """The records a list endpoint shows for these criteria (deleted ones never), in id order; cached until the
        resource changes."""
        collection = self.collection(key)
        with self.lock:
            if collection.list_cache.get("version") != collection.version:
                collection.list_cache = {"version": collection.version}
            cached = collection.list_cache.get(criteria)
            if cached is not None:
                return cached
            deleted = collection.deleted
            rows = [r for r in collection.records.values() if not deleted or r["id"] not in deleted]
            if criteria.active is not None:
                wanted = criteria.active == "true"
                rows = [r for r in rows if self.is_active(key, r) is wanted]
            if criteria.modified_on_or_after:
                rows = [r for r in rows if (r.get("modifiedOn") or "") >= criteria.modified_on_or_after]
            if criteria.modified_before:
                rows = [r for r in rows if (r.get("modifiedOn") or "") < criteria.modified_before]
            if criteria.created_on_or_after:
                rows = [r for r in rows if (r.get("createdOn") or "") >= criteria.created_on_or_after]
            if criteria.created_before:
                rows = [r for r in rows if (r.get("createdOn") or "") < criteria.created_before]
            if criteria.ids is not None:
                rows = [r for r in rows if r["id"] in criteria.ids]
            for name, value in criteria.equals:
                rows = [r for r in rows if r.get(name) == value]
            if len(collection.list_cache) > 32:
                collection.list_cache = {"version": collection.version}
            collection.list_cache[criteria] = rows
            return rows

    def export(self, key: str, after_seq: int = 0, *, since: str | None = None, limit: int | None = None):
        """Changes after `after_seq` (or, with `since`, every record modified on or after it), oldest first, each
        record once in its latest state, deleted ones included."""
        limit = limit or self.export_batch_size
        collection = self.collection(key)
        with self.lock:
            log_seq, log_id, seq_of, records = (
                collection.log_seq,
                collection.log_id,
                collection.seq_of,
                collection.records,
            )
            position = bisect_right(log_seq, after_seq)
            end = len(log_seq)
            out: list[dict] = []
            last = after_seq
            while position < end:
                seq, record_id = log_seq[position], log_id[position]
                position += 1
                if seq_of.get(record_id) != seq:
                    continue  # changed again later; it is served at its latest position
                record = records[record_id]
                if since and (record.get("modifiedOn") or "") < since:
                    last = seq
                    continue
                if len(out) == limit:
                    return ExportBatch(out, last, True)
                out.append(record)
                last = seq
            # Caught up: everything up to the newest change has been served or superseded.
            return ExportBatch(out, max(after_seq, collection.last_seq), False)

    # --- changes -------------------------------------------------------------------------------------------------
    def _touch(self, collection: Collection, record: dict) -> dict:
        """Store a new version of a record: new modifiedOn, next sequence number, caches dropped."""
        if "modifiedOn" in record or "modifiedOn" in shape_of(collection.key).skeleton:
            record["modifiedOn"] = self._tick()
        else:
            self._tick()
        record_id = record["id"]
        collection.records[record_id] = record
        collection.last_seq += 1
        collection.seq_of[record_id] = collection.last_seq
        collection.log_seq.append(collection.last_seq)
        collection.log_id.append(record_id)
        collection.version += 1
        return record

    def update(self, key: str, record_id, fields: dict) -> dict:
        """Replace fields of an existing record (a write through the API); raises KeyError when absent/deleted."""
        collection = self.collection(key)
        with self.lock:
            if record_id in collection.deleted or record_id not in collection.records:
                raise KeyError(record_id)
            return self._touch(collection, {**collection.records[record_id], **fields})

    def insert(self, key: str, fields: dict | None = None, *, generated: bool = True) -> dict:
        """Create a record: generated values (unless `generated=False`: the shape's empty values, as a create of only
        what was sent), then `fields` on top; a new id, createdOn = modifiedOn = now."""
        collection = self.collection(key)
        with self.lock:
            index = collection.next_index
            collection.next_index += 1
            now = self._tick()
            rng = random.Random(f"{self.seed}:{key}:new:{index}")
            generated = self.generators.fields(key, rng, index, now, now) if generated else {}
            record = shape_of(key).new({**generated, **(fields or {}), "id": self.id_at(key, index)})
            if "createdOn" in record:
                record["createdOn"] = now
            return self._touch(collection, record)

    def _pick(self, key: str, n: int, *, active_only: bool = False) -> list:
        collection = self.collection(key)
        candidates = [
            record_id
            for record_id, record in collection.records.items()
            if record_id not in collection.deleted and (not active_only or self.is_active(key, record))
        ]
        return self._mutation_rng.sample(candidates, min(n, len(candidates)))

    def modify(self, key: str, n: int) -> list:
        """Change `n` existing records (a price, a name, a memo...); returns their ids."""
        with self.lock:
            collection = self.collection(key)
            touched = self._pick(key, n)
            for record_id in touched:
                record = dict(collection.records[record_id])
                self._modify_fields(record)
                self._touch(collection, record)
            return touched

    def deactivate(self, key: str, n: int) -> list:
        """Make `n` active records inactive (archived contacts, cancelled jobs and purchase orders)."""
        with self.lock:
            collection = self.collection(key)
            touched = self._pick(key, n, active_only=True)
            for record_id in touched:
                record = dict(collection.records[record_id])
                self._deactivate_fields(key, record)
                self._touch(collection, record)
            return touched

    def create(self, key: str, n: int) -> list:
        with self.lock:
            return [self.insert(key)["id"] for _ in range(n)]

    def delete(self, key: str, n: int) -> list:
        """Delete `n` records: gone from list and get (404); export shows them once more, inactive."""
        with self.lock:
            collection = self.collection(key)
            touched = self._pick(key, n)
            for record_id in touched:
                record = dict(collection.records[record_id])
                if "active" in record:
                    record["active"] = False
                collection.deleted.add(record_id)
                self._touch(collection, record)
            return touched

    def mutate(self, key: str, *, modify: int = 0, deactivate: int = 0, create: int = 0, delete: int = 0) -> dict:
        get_resource(key)
        return {
            "modified": self.modify(key, modify) if modify else [],
            "deactivated": self.deactivate(key, deactivate) if deactivate else [],
            "created": self.create(key, create) if create else [],
            "deleted": self.delete(key, delete) if delete else [],
        }

    def _modify_fields(self, record: dict) -> None:
        rng = self._mutation_rng
        if isinstance(record.get("price"), int | float) and "cost" in record:
            price = round(max(record["price"], record["cost"] or 0) * (1.01 + rng.random() * 0.1) + 0.01, 2)
            record["price"] = price
            if "memberPrice" in record:
                record["memberPrice"] = round(price * 0.9, 2)
            if "addOnPrice" in record:
                record["addOnPrice"] = round(price * 0.95, 2)
            if "addOnMemberPrice" in record:
                record["addOnMemberPrice"] = round(price * 0.9 * 0.95, 2)
            return
        for name in ("summary", "memo", "specialInstructions", "description", "name", "title"):
            value = record.get(name)
            if isinstance(value, str):
                base, _, revision = value.partition(" (rev ")
                number = int(revision.rstrip(")")) + 1 if revision.rstrip(")").isdigit() else 1
                record[name] = f"{base} (rev {number})"
                return

    @staticmethod
    def _deactivate_fields(key: str, record: dict) -> None:
        if "active" in record:
            record["active"] = False
        if key == "crm.contacts":
            record["isArchived"] = True
        elif key == "jobs.jobs":
            record["jobStatus"] = "Canceled"
        elif key == "jobs.appointments" or key == "inventory.purchase-orders":
            record["status"] = "Canceled"
