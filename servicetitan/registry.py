"""Every ServiceTitan resource LAZI touches, declared once.

Paths are relative to the API module root `{API_URL}/{api_module}/v2` and keep the specs' `{tenant}` / `{id}`
placeholders, so `tests/servicetitan/test_registry.py` can walk this registry against `shared/servicetitan-openapi/`
and fail on any path, method or query parameter the specs do not have.

The key of a resource is `<lazi app>.<collection>` (`pricebook.materials`, `dispatch.technicians`): the LAZI app that
mirrors it, which is not always the ServiceTitan API module (technicians live under `settings`, jobs under `jpm`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    query: tuple[str, ...] = ()
    # A multipart upload (images) rather than a JSON body.
    multipart: bool = False


@dataclass(frozen=True)
class Resource:
    key: str  # "pricebook.materials"
    api_module: str  # "pricebook", "crm", "jpm", "settings", "dispatch", "accounting", "inventory"
    list_path: str | None = None
    get_path: str | None = None
    export_path: str | None = None
    # Query parameters LAZI sends to the list endpoint (all must exist in the spec).
    list_query: tuple[str, ...] = ("page", "pageSize", "modifiedOnOrAfter", "active")
    # The parameter/value that makes a list endpoint include inactive records, or None if it has none.
    include_inactive: tuple[str, str] | None = ("active", "Any")
    # The list endpoint's change filter, or None: then the collection is small and refreshed whole.
    modified_filter: str | None = "modifiedOnOrAfter"
    writes: dict[str, Operation] = field(default_factory=dict)

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def collection(self) -> str:
        return self.key.split(".", 1)[1]

    @property
    def spec_file(self) -> str:
        return f"{self.api_module}-v2.json"

    @property
    def prefix(self) -> str:
        """URL prefix below the API root: `/pricebook/v2`."""
        return f"/{self.api_module}/v2"

    @property
    def list_operation(self) -> Operation | None:
        return Operation("GET", self.list_path, self.list_query) if self.list_path else None

    @property
    def get_operation(self) -> Operation | None:
        return Operation("GET", self.get_path) if self.get_path else None

    @property
    def export_operation(self) -> Operation | None:
        return Operation("GET", self.export_path, ("from",)) if self.export_path else None

    def operations(self) -> list[Operation]:
        reads = [self.list_operation, self.get_operation, self.export_operation]
        return [op for op in reads if op] + list(self.writes.values())


T = "/tenant/{tenant}"


def _crud(collection: str, *, create=True, update=True) -> dict[str, Operation]:
    ops = {}
    if create:
        ops["create"] = Operation("POST", f"{T}/{collection}")
    if update:
        ops["update"] = Operation("PATCH", f"{T}/{collection}/{{id}}")
    return ops


def _resource(key, api_module, collection=None, *, get=True, export=True, **kwargs) -> Resource:
    collection = collection or key.split(".", 1)[1]
    return Resource(
        key=key,
        api_module=api_module,
        list_path=f"{T}/{collection}",
        get_path=f"{T}/{collection}/{{id}}" if get else None,
        export_path=f"{T}/export/{collection}" if export else None,
        **kwargs,
    )


PRICEBOOK_ITEM_QUERY = ("page", "pageSize", "modifiedOnOrAfter", "active", "ids")

RESOURCES: dict[str, Resource] = {
    r.key: r
    for r in [
        # --- pricebook -------------------------------------------------------------------------------------------------
        _resource("pricebook.categories", "pricebook", writes=_crud("categories", create=False)),
        # `ids` (at most 50 per request): the push re-reads the items it just bulk-updated, and "refresh selected".
        _resource(
            "pricebook.materials", "pricebook", list_query=PRICEBOOK_ITEM_QUERY, writes=_crud("materials", create=False)
        ),
        _resource(
            "pricebook.services", "pricebook", list_query=PRICEBOOK_ITEM_QUERY, writes=_crud("services", create=False)
        ),
        _resource(
            "pricebook.equipment", "pricebook", list_query=PRICEBOOK_ITEM_QUERY, writes=_crud("equipment", create=False)
        ),
        # ServiceTitan's material markup table: a few cost tiers {id, from, to, percent}; no modifiedOn, no export, no
        # active filter (refreshed whole). POST answers 201 without a body; GET/PUT by id answer {"data": tier}.
        Resource(
            key="pricebook.markup-tiers",
            api_module="pricebook",
            list_path=f"{T}/materialsmarkup",
            get_path=f"{T}/materialsmarkup/{{id}}",
            list_query=("page", "pageSize"),
            include_inactive=None,
            modified_filter=None,
            writes={
                "create": Operation("POST", f"{T}/materialsmarkup"),
                "update": Operation("PUT", f"{T}/materialsmarkup/{{id}}"),
            },
        ),
        Resource(
            key="pricebook.images",
            api_module="pricebook",
            list_path=None,
            list_query=(),
            include_inactive=None,
            modified_filter=None,
            writes={
                "upload": Operation("POST", f"{T}/images", multipart=True),
                # Answers a 302 to the file itself.
                "download": Operation("GET", f"{T}/images", ("path",)),
            },
        ),
        Resource(
            key="pricebook.bulk",
            api_module="pricebook",
            list_query=(),
            include_inactive=None,
            modified_filter=None,
            # {materials: [...], services: [...], equipment: [...]} of complete items.
            writes={"update": Operation("PATCH", f"{T}/pricebook")},
        ),
        # --- crm -------------------------------------------------------------------------------------------------------
        _resource("crm.customers", "crm", writes=_crud("customers")),
        _resource("crm.locations", "crm", writes=_crud("locations")),
        # Contacts have no export and no active filter (they are archived instead).
        _resource(
            "crm.contacts",
            "crm",
            export=False,
            list_query=("page", "pageSize", "modifiedOnOrAfter"),
            include_inactive=None,
        ),
        # --- jobs (ServiceTitan's JPM module) ------------------------------------------------------------------------
        _resource(
            "jobs.jobs",
            "jpm",
            list_query=("page", "pageSize", "modifiedOnOrAfter"),
            include_inactive=None,
            writes={
                **_crud("jobs"),
                # Body {reasonId, memo}.
                "cancel": Operation("PUT", f"{T}/jobs/{{id}}/cancel"),
            },
        ),
        _resource(
            "jobs.appointments",
            "jpm",
            writes={
                "create": Operation("POST", f"{T}/appointments"),
                "reschedule": Operation("PATCH", f"{T}/appointments/{{id}}/reschedule"),
            },
        ),
        _resource(
            "jobs.projects",
            "jpm",
            list_query=("page", "pageSize", "modifiedOnOrAfter"),
            include_inactive=None,
        ),
        # --- dispatch (technicians and employees live under ServiceTitan's settings module) -------------------------
        _resource("dispatch.technicians", "settings", "technicians"),
        _resource("dispatch.employees", "settings", "employees"),
        _resource("dispatch.business-units", "settings", "business-units"),
        _resource(
            "dispatch.teams",
            "dispatch",
            export=False,
            list_query=("page", "pageSize", "modifiedOnOrAfter", "includeInactive"),
            include_inactive=("includeInactive", "true"),
        ),
        _resource("dispatch.zones", "dispatch", export=False),
        # --- accounting ------------------------------------------------------------------------------------------------
        _resource(
            "accounting.invoices",
            "accounting",
            get=False,
            list_query=("page", "pageSize", "modifiedOnOrAfter", "activeState"),
            include_inactive=("activeState", "All"),
        ),
        _resource(
            "accounting.payments",
            "accounting",
            get=False,
            list_query=("page", "pageSize", "modifiedOnOrAfter", "activeState"),
            include_inactive=("activeState", "All"),
        ),
        # --- inventory -------------------------------------------------------------------------------------------------
        _resource("inventory.adjustments", "inventory", get=False),
        _resource(
            "inventory.purchase-orders",
            "inventory",
            "purchase-orders",
            list_query=("page", "pageSize", "modifiedOnOrAfter"),
            include_inactive=None,
        ),
        _resource("inventory.vendors", "inventory", export=False),
        _resource("inventory.warehouses", "inventory", get=False, export=False),
    ]
}


def get_resource(key: str) -> Resource:
    try:
        return RESOURCES[key]
    except KeyError:
        raise KeyError(f"unknown ServiceTitan resource {key!r}; known: {', '.join(sorted(RESOURCES))}") from None
