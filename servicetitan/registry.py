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
        return spec_file_of(self.api_module)

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

# Spec files not named after their API module (`/sales/v2` is described by `salestech-v2.json`).
SPEC_FILES = {"sales": "salestech-v2.json"}


def spec_file_of(api_module: str) -> str:
    return SPEC_FILES.get(api_module, f"{api_module}-v2.json")


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


def _export_only(key, api_module, collection) -> Resource:
    """A collection ServiceTitan serves only through its export endpoint (inactive and deleted records included)."""
    return Resource(
        key=key,
        api_module=api_module,
        export_path=f"{T}/export/{collection}",
        list_query=(),
        include_inactive=None,
        modified_filter=None,
    )


PRICEBOOK_ITEM_QUERY = ("page", "pageSize", "modifiedOnOrAfter", "active", "ids")

RESOURCES: dict[str, Resource] = {
    r.key: r
    for r in [
        # --- pricebook -------------------------------------------------------------------------------------------------
        _resource("pricebook.categories", "pricebook", writes=_crud("categories", create=False)),
        # `ids` (at most 50 per request): the push re-reads the items it just bulk-updated, and "refresh selected".
        # POST creates an item from LAZI (`pricebook.services.create`); nothing is ever DELETEd: items are deactivated.
        _resource("pricebook.materials", "pricebook", list_query=PRICEBOOK_ITEM_QUERY, writes=_crud("materials")),
        _resource("pricebook.services", "pricebook", list_query=PRICEBOOK_ITEM_QUERY, writes=_crud("services")),
        _resource("pricebook.equipment", "pricebook", list_query=PRICEBOOK_ITEM_QUERY, writes=_crud("equipment")),
        # ServiceTitan's material markup table: a few cost tiers {id, from, to, percent}; no modifiedOn, no export, no
        # active filter (refreshed whole). POST (201), GET and PUT by id answer {"data": tier}.
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
        # A customer's phone numbers and e-mail addresses ({id, customerId, type, value, memo, phoneSettings}): the
        # link from a customer to its contacts (the GUID contacts above carry none). Read by id only through the
        # customer, so no get path; the export includes inactive ones (`active`), the list has no active filter.
        _resource(
            "crm.customer-contacts",
            "crm",
            "customers/contacts",
            get=False,
            list_query=("page", "pageSize", "modifiedOnOrAfter"),
            include_inactive=None,
        ),
        # Bookings (requests from booking providers, before they become jobs) and leads: from their exports
        # (inactive ones included); their lists have no active filter.
        _resource(
            "crm.bookings",
            "crm",
            list_query=("page", "pageSize", "modifiedOnOrAfter"),
            include_inactive=None,
        ),
        _resource(
            "crm.leads",
            "crm",
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
                # Body {reasonId, memo}; the reason is a mirrored job cancel (or hold) reason.
                "cancel": Operation("PUT", f"{T}/jobs/{{id}}/cancel"),
                "hold": Operation("PUT", f"{T}/jobs/{{id}}/hold"),
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
        # JPM reference data: what jobs and projects point at (small collections).
        _resource("jobs.job-types", "jpm", "job-types", export=False),
        _resource("jobs.job-cancel-reasons", "jpm", "job-cancel-reasons", get=False, export=False),
        _resource("jobs.job-hold-reasons", "jpm", "job-hold-reasons", get=False, export=False),
        _resource(
            "jobs.project-statuses",
            "jpm",
            "project-statuses",
            export=False,
            list_query=("page", "pageSize", "modifiedOnOrAfter"),
            include_inactive=None,
        ),
        _resource("jobs.project-substatuses", "jpm", "project-substatuses", export=False),
        # Project types: no change filter and no active flag; a handful of rows refreshed whole.
        _resource(
            "jobs.project-types",
            "jpm",
            "project-types",
            export=False,
            list_query=("page", "pageSize"),
            include_inactive=None,
            modified_filter=None,
        ),
        # Job notes are served by the export endpoint only.
        _export_only("jobs.job-notes", "jpm", "job-notes"),
        # --- dispatch (technicians and employees live under ServiceTitan's settings module) -------------------------
        _resource("dispatch.technicians", "settings", "technicians"),
        _resource("dispatch.employees", "settings", "employees"),
        _resource("dispatch.business-units", "settings", "business-units"),
        # Settings lists jobs and customers point at: tag types (with an export), user roles (a few, listed whole).
        _resource("dispatch.tag-types", "settings", "tag-types", get=False),
        _resource(
            "dispatch.user-roles",
            "settings",
            "user-roles",
            get=False,
            export=False,
            list_query=("page", "pageSize", "active"),
            modified_filter=None,
        ),
        _resource(
            "dispatch.teams",
            "dispatch",
            export=False,
            list_query=("page", "pageSize", "modifiedOnOrAfter", "includeInactive"),
            include_inactive=("includeInactive", "true"),
        ),
        _resource("dispatch.zones", "dispatch", export=False),
        # Who was on which appointment: one row per technician and appointment (no get by id; the export includes
        # inactive and deleted assignments).
        _resource("dispatch.appointment-assignments", "dispatch", "appointment-assignments", get=False),
        _resource("dispatch.technician-shifts", "dispatch", "technician-shifts", export=False),
        # Time off, meetings, training: a technician's calendar entries that are not jobs. Their list's active filter
        # is the boolean `activeOnly` (false: every record).
        _resource(
            "dispatch.non-job-appointments",
            "dispatch",
            "non-job-appointments",
            export=False,
            list_query=("page", "pageSize", "modifiedOnOrAfter", "activeOnly"),
            include_inactive=("activeOnly", "false"),
        ),
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
        # Payment types: no change filter; a few rows refreshed whole.
        _resource(
            "accounting.payment-types",
            "accounting",
            "payment-types",
            export=False,
            list_query=("page", "pageSize", "active"),
            modified_filter=None,
        ),
        # Payment terms have no active filter, and their get path names its id `paymentTermId`: list only.
        _resource(
            "accounting.payment-terms",
            "accounting",
            "payment-terms",
            get=False,
            export=False,
            list_query=("page", "pageSize", "modifiedOnOrAfter"),
            include_inactive=None,
        ),
        _resource("accounting.tax-zones", "accounting", "tax-zones", get=False, export=False),
        # --- sales (ServiceTitan's sales API: estimates) ------------------------------------------------------------
        _resource("sales.estimates", "sales"),
        # Pricebook lists that price a sale, mirrored by the sales app (the pricebook app is the items'), edited
        # through overrides (pushed one by one: `pricebook.services.push`): discounts and fees, and client-specific
        # pricing (rate sheets with their exceptions; no change filter and no get by id, so the push reads one through
        # the list's `ids`; its update path names its id `rateSheetId`, filled by the push from its item kind).
        _resource(
            "sales.discounts-and-fees",
            "pricebook",
            "discounts-and-fees",
            export=False,
            writes=_crud("discounts-and-fees", create=False),
        ),
        _resource(
            "sales.rate-sheets",
            "pricebook",
            "clientspecificpricing",
            get=False,
            export=False,
            list_query=("page", "pageSize", "active", "ids"),
            modified_filter=None,
            writes={"update": Operation("PATCH", f"{T}/clientspecificpricing/{{rateSheetId}}")},
        ),
        # --- memberships (ServiceTitan's memberships and service-agreements APIs) -------------------------------------
        _resource("memberships.membership-types", "memberships", "membership-types"),
        _resource("memberships.memberships", "memberships"),
        _resource("memberships.recurring-service-types", "memberships", "recurring-service-types"),
        _resource("memberships.recurring-services", "memberships", "recurring-services"),
        _resource(
            "memberships.recurring-service-events",
            "memberships",
            "recurring-service-events",
            get=False,
            list_query=("page", "pageSize", "modifiedOnOrAfter"),
            include_inactive=None,
        ),
        _resource(
            "memberships.service-agreements",
            "service-agreements",
            "service-agreements",
            list_query=("page", "pageSize", "modifiedOnOrAfter"),
            include_inactive=None,
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
        # Stock received against purchase orders: a list only (no export, no get by id).
        _resource("inventory.receipts", "inventory", get=False, export=False),
        # Stock sent back to vendors, and moved between warehouses and trucks: from their exports.
        _resource("inventory.returns", "inventory", get=False),
        _resource(
            "inventory.transfers",
            "inventory",
            get=False,
            list_query=("page", "pageSize", "modifiedOnOrAfter"),
            include_inactive=None,
        ),
        _resource("inventory.trucks", "inventory", get=False, export=False),
    ]
}


def get_resource(key: str) -> Resource:
    try:
        return RESOURCES[key]
    except KeyError:
        raise KeyError(f"unknown ServiceTitan resource {key!r}; known: {', '.join(sorted(RESOURCES))}") from None
