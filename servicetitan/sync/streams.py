"""Declaring what to mirror: one `Stream` per entity, declared in `<app>/streams.py` as `STREAMS = [...]`.

A stream ties a registry resource (how ServiceTitan serves it) to a raw model (the JSON as fetched) and a master model
(typed columns, mapped by the model's own `st_mapping`). How it is fetched follows from the resource:
- it has an export endpoint: export with `from`/`continueFrom`, the token saved with each page;
- else it has a change filter (`modifiedOnOrAfter`): list pages changed since the last run, with a safe overlap;
- else: the collection is small and refreshed whole; records no longer listed are marked deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from servicetitan.registry import Resource, get_resource


@dataclass(frozen=True)
class PageChanges:
    """The changed records of one page, as `Stream.before_master` sees them."""

    tenant_id: int
    now: datetime
    # (st_id, record, deleted) of the records whose payload changed and that were already mirrored.
    records: list[tuple[object, dict, bool]]
    # PostgreSQL: the (quoted) staging table holding exactly the page's new raw rows (payloads as jsonb), to compare in
    # SQL. None elsewhere (compare `records` in Python).
    stage: str | None = None
    # Who wrote the page: None for a sync; a writer of ServiceTitan's answers (the push) says what it pushed.
    origin: object = None


@dataclass(frozen=True)
class Stream:
    key: str  # the registry key, e.g. "pricebook.materials"; also the `st_sync` target name
    raw_model: str  # "pricebook.RawMaterial"
    master_model: str  # "pricebook.Material"
    # Turns one fetched record into the records to store (e.g. a category and all its nested subcategories).
    expand: Callable[[dict], Iterable[dict]] | None = None
    # Called after each page's master rows are written, with the master model and the page's payloads:
    # relations (many-to-many, parents) are rebuilt here in bulk.
    after_page: Callable[[type, list[dict], int], None] | None = None
    # Called with each page's changed records (created ones excluded: nothing to compare) BEFORE their master rows are
    # written, while the master still holds the previous values: a stream keeps a history of some columns here (see
    # `servicetitan.sync.changes` for the set-based comparison). Unchanged records never reach it.
    before_master: Callable[[type, PageChanges], None] | None = None
    # Called once after a run completed (e.g. recompute category paths).
    after_run: Callable[[int], None] | None = None
    # Streams to sync before this one in the same run.
    depends_on: tuple[str, ...] = ()

    @property
    def resource(self) -> Resource:
        return get_resource(self.key)

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]

    def raw(self):
        return apps.get_model(self.raw_model)

    def master(self):
        return apps.get_model(self.master_model)


def all_streams() -> dict[str, Stream]:
    """Every stream declared by an installed app, in dependency order."""
    found: dict[str, Stream] = {}
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "streams"):
            continue
        for stream in import_module(f"{config.name}.streams").STREAMS:
            found[stream.key] = stream
    ordered: dict[str, Stream] = {}

    def visit(key: str):
        if key in ordered:
            return
        for dependency in found[key].depends_on:
            visit(dependency)
        ordered[key] = found[key]

    for key in found:
        visit(key)
    return ordered


def resolve_targets(targets: Iterable[str] | None) -> list[Stream]:
    """`pricebook` → all its streams; `pricebook.materials` → that one; none → all. Unknown names raise ValueError."""
    streams = all_streams()
    if not targets:
        return list(streams.values())
    chosen: list[str] = []
    for target in targets:
        matches = [key for key in streams if key == target or key.split(".", 1)[0] == target]
        if not matches:
            known = sorted({k.split(".", 1)[0] for k in streams} | set(streams))
            raise ValueError(f"unknown sync target {target!r}; choose from: {', '.join(known)}")
        chosen.extend(m for m in matches if m not in chosen)
    return [streams[key] for key in streams if key in chosen]
