"""Bulk helpers for streams' `after_page` / `after_run` hooks: relations rebuilt from ServiceTitan ids in a payload.

All of them work on a whole page at once (a fixed number of queries per page, never one per row), and resolve
ServiceTitan ids to mirrored rows of the same tenant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery

from servicetitan.conversions import BadValue
from servicetitan.models import _converter
from servicetitan.sync.bulk import insert_rows


def _lenient(field: models.Field) -> Callable:
    """The field's conversion of a payload value (`SyncedModel`'s rules), None (or the default) when it does not fit:
    a junk id in a list links to nothing rather than failing the page."""
    convert = _converter(field)

    def read(value):
        try:
            return convert(value)
        except BadValue:
            return convert(None)

    return read


def _st_ids(model: type[models.Model], values: Iterable) -> list:
    to_st_id = _lenient(model._meta.get_field("st_id"))
    return [st_id for value in values if value is not None and (st_id := to_st_id(value)) is not None]


def master_ids(model: type[models.Model], tenant_id: int, st_ids: Iterable) -> dict:
    """ServiceTitan id -> primary key of the mirrored rows that exist, in one query."""
    wanted = set(_st_ids(model, st_ids))
    if not wanted:
        return {}
    return dict(model.objects.filter(tenant_id=tenant_id, st_id__any_of=list(wanted)).values_list("st_id", "pk"))


def replace_m2m(
    owner_model: type[models.Model],
    field_name: str,
    tenant_id: int,
    targets_by_owner: dict[int, Iterable[int]],
    owners: dict | None = None,
) -> None:
    """Make each owner's many-to-many `field_name` exactly the targets listed (by ServiceTitan id) that are mirrored.

    `owners`: the owners' `master_ids`, when the caller has them already (one lookup for all of a page's relations).
    """
    field = owner_model._meta.get_field(field_name)
    through = field.remote_field.through
    source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    if owners is None:
        owners = master_ids(owner_model, tenant_id, targets_by_owner)
    if not owners:
        return
    target_model = field.related_model
    wanted = {st_id for ids in targets_by_owner.values() for st_id in _st_ids(target_model, ids)}
    targets = master_ids(target_model, tenant_id, wanted)
    through.objects.filter(**{f"{source}__any_of": list(owners.values())}).delete()
    owner_st_ids = dict(zip(targets_by_owner, _st_ids(owner_model, targets_by_owner), strict=True))
    rows = [
        {source: owners[owner_st_ids[owner]], target: targets[st_id]}
        for owner, ids in targets_by_owner.items()
        if owner_st_ids[owner] in owners
        for st_id in dict.fromkeys(_st_ids(target_model, ids))
        if st_id in targets
    ]
    insert_rows(through, rows)


@dataclass(frozen=True)
class Link:
    """How one list in a payload becomes rows of a link model (owner FK, `target_st_id`, target FK(s), extras).

    `entries(payload)` yields (target ServiceTitan id, extra column values). `targets` are (FK field, model label)
    tried in order: the first model that mirrors the id gets the FK (e.g. a recommendation is a service or a material).
    """

    model: str
    owner_field: str
    entries: Callable[[dict], Iterable[tuple[int, dict]]]
    targets: tuple[tuple[str, str], ...]

    def link_model(self) -> type[models.Model]:
        return apps.get_model(self.model)


def replace_links(
    link: Link, owner_model: type[models.Model], payloads: list[dict], tenant_id: int, owners: dict | None = None
) -> None:
    """Rebuild the link rows of every owner in `payloads`, in a delete and an insert (`owners` as for `replace_m2m`)."""
    link_model = link.link_model()
    if owners is None:
        owners = master_ids(owner_model, tenant_id, (p.get("id") for p in payloads))
    if not owners:
        return
    to_owner_st_id = _lenient(owner_model._meta.get_field("st_id"))
    to_target_st_id = _lenient(link_model._meta.get_field("target_st_id"))
    entries = [
        (owners[owner_st_id], target, extra)
        for p in payloads
        if (owner_st_id := to_owner_st_id(p["id"])) in owners
        for target_st_id, extra in link.entries(p)
        if target_st_id is not None and (target := to_target_st_id(target_st_id)) is not None
    ]
    all_targets = {target_st_id for _, target_st_id, _ in entries}
    resolved = [(fk, master_ids(apps.get_model(label), tenant_id, all_targets)) for fk, label in link.targets]
    link_model.objects.filter(**{f"{link.owner_field}__any_of": list(owners.values())}).delete()
    owner_column = f"{link.owner_field}_id"
    converters = {}
    rows = []
    for owner_pk, target_st_id, extra in entries:
        row = {"tenant_id": tenant_id, "target_st_id": target_st_id, owner_column: owner_pk}
        matched = False
        for fk, ids in resolved:
            row[f"{fk}_id"] = None if matched else ids.get(target_st_id)
            matched = matched or row[f"{fk}_id"] is not None
        for name, value in extra.items():
            if name not in converters:
                converters[name] = _lenient(link_model._meta.get_field(name))
            row[name] = converters[name](value)
        rows.append(row)
    insert_rows(link_model, rows)


def resolve_dangling_links(link: Link, tenant_id: int) -> int:
    """Point links whose target was not mirrored yet at it, now that it may be. Returns how many were resolved."""
    link_model = link.link_model()
    dangling = link_model.objects.filter(tenant_id=tenant_id, **{f"{fk}__isnull": True for fk, _ in link.targets})
    resolved = 0
    for fk, label in link.targets:
        match = apps.get_model(label).objects.filter(tenant_id=tenant_id, st_id=OuterRef("target_st_id"))
        resolvable = dangling.filter(Exists(match))
        resolved += resolvable.update(**{fk: Subquery(match.values("pk")[:1])})
    return resolved


@dataclass(frozen=True)
class Lines:
    """The lines inside a record (an invoice's or an estimate's `items`) kept as rows of a `SyncedModel` of their own.

    Each line maps through the line model's `st_mapping`; `owner_column` gets the record's ServiceTitan id and
    `copied(payload)` any values of the record copied onto its lines (a date, a status). Lines have no active flag of
    their own: they live and go with their record. Use `Lines(...).after_page` as a stream's `after_page`.
    """

    model: str
    owner_column: str
    key: str = "items"
    copied: Callable[[dict], dict] | None = None

    def line_model(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def after_page(self, owner_model: type[models.Model], payloads: list[dict], tenant_id: int) -> None:
        replace_lines(self, owner_model, payloads, tenant_id)


def replace_lines(lines: Lines, owner_model: type[models.Model], payloads: list[dict], tenant_id: int) -> None:
    """Make the line rows of the page's records exactly their payloads' lines: one delete, one bulk insert.

    A record marked deleted keeps no lines. A line id seen again under another record moves with it.
    """
    from django.utils import timezone

    from servicetitan.sync.upsert import is_active_payload, is_deleted_payload

    if not payloads:
        return
    line_model = lines.line_model()
    to_owner_st_id = owner_model._meta.get_field("st_id").to_python
    to_line_st_id = line_model._meta.get_field("st_id").to_python
    now = timezone.now()
    rows, owner_ids, line_ids = [], [], set()
    for payload in payloads:
        owner_id = to_owner_st_id(payload["id"])
        owner_ids.append(owner_id)
        if is_deleted_payload(payload):
            continue
        shared = {
            "tenant_id": tenant_id,
            lines.owner_column: owner_id,
            "active": is_active_payload(payload),
            "deleted": False,
            "synced_at": now,
            **(lines.copied(payload) if lines.copied else {}),
        }
        for line in payload.get(lines.key) or ():
            if not isinstance(line, dict) or line.get("id") is None:
                continue
            st_id = to_line_st_id(line["id"])
            if st_id in line_ids:
                continue  # the same line twice in one page: the first wins, as a unique row must
            line_ids.add(st_id)
            rows.append({**line_model.values_from_payload(line), **shared})
    stale = Q(**{f"{lines.owner_column}__any_of": owner_ids})
    if line_ids:
        stale |= Q(st_id__any_of=list(line_ids))
    line_model.objects.filter(stale, tenant_id=tenant_id).delete()
    insert_rows(line_model, rows)
