"""The pricebook's streams: categories (a tree, expanded), then materials, equipment and services with their relations."""

from __future__ import annotations

from collections.abc import Iterator

from pricebook.models import ITEM_KINDS, category_ids_of
from servicetitan.sync.bulk import update_rows
from servicetitan.sync.relations import Link, master_ids, replace_links, replace_m2m, resolve_dangling_links
from servicetitan.sync.streams import Stream

PATH_SEPARATOR = " > "
MAX_DEPTH = 50


# --- Categories: a tree in, one row per category out --------------------------------------------------------------------
def expand_category(payload: dict, parent: dict | None = None) -> Iterator[dict]:
    """The category, then every nested subcategory (depth first), each knowing its parent and its type.

    Each row keeps the category's own JSON without `subcategories`: the tree lives in the rows (parentId), so a
    changed child never leaves a stale copy of itself inside its parent's payload.
    """
    record = {name: value for name, value in payload.items() if name != "subcategories"}
    if parent is not None:
        if record.get("parentId") is None:
            record["parentId"] = parent["id"]
        if not record.get("categoryType") and parent.get("categoryType"):
            record["categoryType"] = parent["categoryType"]
    yield record
    for child in payload.get("subcategories") or ():
        if isinstance(child, dict) and child.get("id") is not None:
            yield from expand_category(child, record)


def rebuild_category_tree(master, payloads: list[dict], tenant_id: int) -> None:
    """Parent, depth and full path of every category of the tenant (a few hundred rows: recomputed whole)."""
    rows = list(
        master.objects.filter(tenant_id=tenant_id).values_list(
            "pk", "st_id", "parent_st_id", "name", "parent_id", "depth", "path"
        )
    )
    by_st_id = {row[1]: (row[0], row[2], row[3]) for row in rows}
    lineage: dict[int, tuple[int, str]] = {}

    def depth_and_path(st_id: int) -> tuple[int, str]:
        if st_id in lineage:
            return lineage[st_id]
        chain, current = [], st_id
        # Walk up to the root (or an unknown parent), guarding against cycles in bad data.
        while current in by_st_id and current not in lineage and current not in chain and len(chain) < MAX_DEPTH:
            chain.append(current)
            current = by_st_id[current][1]
        depth, path = lineage.get(current, (-1, ""))
        for node in reversed(chain):
            depth += 1
            name = by_st_id[node][2]
            path = f"{path}{PATH_SEPARATOR}{name}" if path else name
            lineage[node] = (depth, path[:2048])
        return lineage[st_id]

    changed = []
    for pk, st_id, parent_st_id, _, parent_pk, old_depth, old_path in rows:
        depth, path = depth_and_path(st_id)
        new_parent = by_st_id[parent_st_id][0] if parent_st_id in by_st_id and parent_st_id != st_id else None
        if (new_parent, depth, path) != (parent_pk, old_depth, old_path):
            changed.append({master._meta.pk.attname: pk, "parent_id": new_parent, "depth": depth, "path": path})
    # Only the rows whose place in the tree moved, in one `UPDATE … FROM` (PostgreSQL) rather than a CASE per row.
    update_rows(master, changed, ["parent", "depth", "path"])


# --- Items: categories and links ------------------------------------------------------------------------------------------
def _sku_links(key: str):
    def entries(payload: dict) -> Iterator[tuple[int, dict]]:
        for link in payload.get(key) or ():
            if isinstance(link, dict) and link.get("skuId") is not None:
                yield link["skuId"], {"quantity": link.get("quantity") or 0}

    return entries


def _ids(key: str):
    def entries(payload: dict) -> Iterator[tuple[int, dict]]:
        for value in payload.get(key) or ():
            st_id = value.get("skuId") if isinstance(value, dict) else value
            if st_id is not None:
                yield st_id, {}

    return entries


SERVICE_LINKS = (
    Link("pricebook.ServiceMaterial", "service", _sku_links("serviceMaterials"), (("material", "pricebook.Material"),)),
    Link(
        "pricebook.ServiceEquipment", "service", _sku_links("serviceEquipment"), (("equipment", "pricebook.Equipment"),)
    ),
    Link(
        "pricebook.ServiceRecommendation",
        "service",
        _ids("recommendations"),
        (("recommended_service", "pricebook.Service"), ("recommended_material", "pricebook.Material")),
    ),
    Link("pricebook.ServiceUpgrade", "service", _ids("upgrades"), (("upgrade", "pricebook.Service"),)),
)
EQUIPMENT_LINKS = (
    Link(
        "pricebook.EquipmentMaterial",
        "equipment",
        _sku_links("equipmentMaterials"),
        (("material", "pricebook.Material"),),
    ),
)


def flag_override_conflicts(master, payloads: list[dict], tenant_id: int) -> None:
    """A page that brings a newer ServiceTitan version of an item with a pending override puts that edit in conflict."""
    from pricebook.services.conflicts import flag_conflicts_after_page  # the services import the mirror models

    flag_conflicts_after_page(master, payloads, tenant_id)


def record_history(master, changes) -> None:
    """Changes of cost and prices a page brings, kept in the price history (set-based, before the master merge)."""
    from pricebook.services.history import record_page_history

    record_page_history(master, changes)


def category_page(master, payloads: list[dict], tenant_id: int) -> None:
    rebuild_category_tree(master, payloads, tenant_id)
    flag_override_conflicts(master, payloads, tenant_id)


def refresh_costs(master, payloads: list[dict], tenant_id: int, owners: dict) -> None:
    """Services' rolled-up costs: of these services (links just replaced), or of the services using these items."""
    from pricebook.services.costs import refresh_service_costs  # the services import the mirror models

    label = master._meta.label
    if label == "pricebook.Service":
        refresh_service_costs(tenant_id, service_pks=owners.values())
    elif label == "pricebook.Material":
        refresh_service_costs(tenant_id, material_st_ids=owners.keys())
    elif label == "pricebook.Equipment":
        refresh_service_costs(tenant_id, equipment_st_ids=owners.keys())


def item_relations(links: tuple[Link, ...]):
    """The after_page hook of an item stream: its categories (many-to-many), its links, services' rolled-up costs,
    and override conflicts."""

    def after_page(master, payloads: list[dict], tenant_id: int) -> None:
        owners = master_ids(master, tenant_id, (p["id"] for p in payloads))
        replace_m2m(master, "categories", tenant_id, {int(p["id"]): category_ids_of(p) for p in payloads}, owners)
        for link in links:
            replace_links(link, master, payloads, tenant_id, owners)
        refresh_costs(master, payloads, tenant_id, owners)
        flag_override_conflicts(master, payloads, tenant_id)

    return after_page


def resolve_links(tenant_id: int) -> None:
    """Links to items mirrored after the linking item (a later page, a later stream) now point at them; the services'
    rolled-up costs follow (one UPDATE for the tenant)."""
    from pricebook.services.costs import refresh_service_costs

    for link in (*SERVICE_LINKS, *EQUIPMENT_LINKS):
        resolve_dangling_links(link, tenant_id)
    refresh_service_costs(tenant_id)


def _kind_stream(item_type: str, **hooks) -> Stream:
    """The stream of one item kind, named and modelled as its declaration says."""
    kind = ITEM_KINDS[item_type]
    return Stream(kind.resource_key, kind.raw_model, kind.master_model, **hooks)


STREAMS = [
    _kind_stream("category", expand=expand_category, after_page=category_page),
    # ServiceTitan's markup table: a few rows, no modifiedOn and no export, so every run refreshes it whole.
    Stream("pricebook.markup-tiers", "pricebook.RawMarkupTier", "pricebook.MarkupTier"),
    _kind_stream(
        "material",
        before_master=record_history,
        after_page=item_relations(()),
        after_run=resolve_links,
        depends_on=(ITEM_KINDS["category"].resource_key,),
    ),
    _kind_stream(
        "equipment",
        before_master=record_history,
        after_page=item_relations(EQUIPMENT_LINKS),
        after_run=resolve_links,
        depends_on=(ITEM_KINDS["category"].resource_key, ITEM_KINDS["material"].resource_key),
    ),
    _kind_stream(
        "service",
        before_master=record_history,
        after_page=item_relations(SERVICE_LINKS),
        after_run=resolve_links,
        depends_on=tuple(ITEM_KINDS[t].resource_key for t in ("category", "material", "equipment")),
    ),
]
