"""Vendor price files in: costs matched to materials, previewed, then written as cost overrides.

A distributor's file (CSV or Excel, its own headings in its own order) is read with the columns mapped once per vendor
(`VendorPriceMapping`, else guessed from the headings). Each row is matched set-based: one query loads the vendor's
parts (the materials' `primaryVendor` / `otherVendors` for that vendor), one more the item codes of the rows no part
matched, one the pending cost overrides (the cost shown now). Nothing is written until `apply_vendor_costs`, which
creates the cost overrides in bulk (`save_cost_overrides`); pushed, ServiceTitan's item cost and that vendor's cost
on the item change.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Q

from pricebook.models import Material, PricebookOverride, VendorPriceMapping
from pricebook.services.overrides import save_cost_overrides
from pricebook.services.reprice import propose_reprice
from pricebook.services.spreadsheets import ImportFileError, read_grid
from servicetitan.mirroring import MONEY

ROLES = VendorPriceMapping.ROLES
REQUIRED = ("cost",)
MAX_ROWS = 200_000
# Headings a distributor may use for each role, normalized (lower case, runs of other characters as "_").
GUESSES = {
    "vendor_part": (
        "vendor_part", "part", "part_number", "part_no", "part_#", "mfr_part_#", "mfr_part", "mfr_part_number",
        "vendor_part_number", "sku", "item_number", "item_#", "catalog_number", "catalog_#",
    ),
    "cost": ("cost", "net_price", "net", "net_cost", "unit_cost", "your_price", "price", "unit_price"),
    "code": ("code", "item_code", "servicetitan_code", "lazi_code"),
    "description": ("description", "desc", "item_description", "name"),
    "unit": ("unit", "uom", "unit_of_measure"),
}  # fmt: skip


class VendorFileError(ImportFileError):
    """The file or its column mapping cannot be used; the message is for staff."""


def normalized(header: str) -> str:
    return re.sub(r"[^a-z0-9#]+", "_", str(header or "").strip().lower()).strip("_")


def saved_columns(vendor: str) -> dict[str, str]:
    mapping = VendorPriceMapping.objects.filter(vendor_name__iexact=vendor.strip()).first()
    return dict(mapping.columns) if mapping else {}


def guess_columns(headers: list[str], vendor: str = "") -> dict[str, str]:
    """role -> heading: the vendor's saved mapping where its headings are in the file, else guessed by name."""
    present = set(headers)
    columns = {role: header for role, header in saved_columns(vendor).items() if header in present}
    by_name = {normalized(h): h for h in headers if h}
    for role in ROLES:
        if role not in columns:
            found = next((by_name[g] for g in GUESSES[role] if g in by_name), None)
            if found is not None and found not in columns.values():
                columns[role] = found
    return columns


def remember_columns(vendor: str, columns: dict[str, str], user=None) -> VendorPriceMapping:
    mapping, _ = VendorPriceMapping.objects.update_or_create(
        vendor_name=vendor.strip(),
        defaults={
            "columns": {role: h for role, h in columns.items() if role in ROLES and h},
            "updated_by": user if user is not None and getattr(user, "is_authenticated", False) else None,
        },
    )
    return mapping


# A cost column's digits before the decimal point (servicetitan.mirroring.MONEY): beyond them nothing can be stored.
MAX_COST = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])


def parse_cost(raw) -> Decimal:
    """A cell as a cost; ValueError (a staff message) unless a non-negative number."""
    if isinstance(raw, bool) or raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError("no cost")
    text = str(raw).strip().replace("$", "").replace(",", "").replace(" ", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{raw}' is not a number") from None
    if not value.is_finite():
        raise ValueError(f"'{raw}' is not a number")
    if value < 0:
        raise ValueError(f"'{raw}' is negative")
    if value >= MAX_COST:
        raise ValueError(f"'{raw}' is more than a cost column holds")
    return value.quantize(Decimal("0.0001"))


@dataclass
class CostMatch:
    line: int
    part: str
    code: str
    st_id: int
    tenant_id: int
    item_code: str
    item_name: str
    old_cost: str  # Decimal text (kept JSON-friendly for the admin's session)
    new_cost: str
    matched_by: str  # "vendor part" or "code"

    @property
    def change_percent(self) -> Decimal | None:
        old, new = Decimal(self.old_cost), Decimal(self.new_cost)
        if old == 0:
            return None
        return ((new - old) / old * 100).quantize(Decimal("0.1"))

    @property
    def changed(self) -> bool:
        return Decimal(self.old_cost) != Decimal(self.new_cost)


@dataclass
class RowProblem:
    line: int
    part: str
    code: str
    cost: str
    reason: str
    st_ids: list[int] = field(default_factory=list)


@dataclass
class VendorPreview:
    vendor: str
    columns: dict[str, str]
    rows: int = 0
    matched: list[CostMatch] = field(default_factory=list)
    unmatched: list[RowProblem] = field(default_factory=list)
    ambiguous: list[RowProblem] = field(default_factory=list)
    invalid: list[RowProblem] = field(default_factory=list)

    @property
    def changed(self) -> list[CostMatch]:
        return [m for m in self.matched if m.changed]

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "matched": len(self.matched),
            "changed": len(self.changed),
            "unmatched": len(self.unmatched),
            "ambiguous": len(self.ambiguous),
            "invalid": len(self.invalid),
        }

    def as_dict(self) -> dict:
        return asdict(self)


def _cell(row: tuple, index: int | None) -> str:
    if index is None or index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps part numbers like 12345 as 12345.0
    return str(value).strip()


def _materials(tenant_id: int | None):
    """The materials a price file is matched against: one tenant's, or every tenant's when None."""
    rows = Material.objects.filter(deleted=False)
    return rows if tenant_id is None else rows.filter(tenant_id=tenant_id)


def _vendor_parts(vendor: str, tenant_id: int | None = None) -> dict[str, list[tuple]]:
    """Upper-cased part number -> the materials listing it under `vendor` (primary or other vendor), one query."""
    wanted = vendor.strip().lower()
    rows = (
        _materials(tenant_id)
        .filter(Q(vendor_name__iexact=vendor.strip()) | ~Q(other_vendors=[]))
        .values_list("st_id", "tenant_id", "code", "name", "cost", "vendor_name", "vendor_part", "other_vendors")
    )
    by_part: dict[str, list[tuple]] = {}
    for st_id, tenant_id, code, name, cost, primary, primary_part, others in rows:
        parts = set()
        if (primary or "").strip().lower() == wanted and primary_part:
            parts.add(primary_part.strip().upper())
        for other in others or ():
            if not isinstance(other, dict) or not other.get("vendorPart"):
                continue
            if str(other.get("vendorName") or "").strip().lower() == wanted:
                parts.add(str(other["vendorPart"]).strip().upper())
        for part in parts:
            by_part.setdefault(part, []).append((st_id, tenant_id, code, name, cost))
    return by_part


def _by_code(codes: set[str], tenant_id: int | None = None) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    if not codes:
        return found
    rows = (
        _materials(tenant_id)
        .filter(code__any_of=sorted(codes))
        .values_list("st_id", "tenant_id", "code", "name", "cost")
    )
    for row in rows:
        found.setdefault(row[2], []).append(row)
    return found


def _pending_costs(keys: set[int], tenant_id: int | None = None) -> dict[tuple[int, int], Decimal]:
    """(tenant, st_id) -> the cost of an override not yet synced: the cost staff see now."""
    if not keys:
        return {}
    overrides = PricebookOverride.objects.filter(item_type="material", st_pricebook_id__any_of=sorted(keys))
    if tenant_id is not None:
        overrides = overrides.filter(tenant_id=tenant_id)
    rows = (
        overrides.exclude(status=PricebookOverride.Status.SYNCED)
        .exclude(override_cost=None)
        .values_list("tenant_id", "st_pricebook_id", "override_cost")
    )
    return {(tenant, st_id): cost for tenant, st_id, cost in rows}


def preview_vendor_costs(
    vendor: str, headers: list[str], grid: list[tuple], columns: dict[str, str], *, tenant_id: int | None = None
) -> VendorPreview:
    """What the file would change, nothing written. `columns`: role -> heading (see `guess_columns`). `tenant_id`:
    the tenant whose materials the file is matched against (None: every tenant's, as with a single tenant)."""
    vendor = (vendor or "").strip()
    if not vendor:
        raise VendorFileError("Say which vendor the file is from.")
    index = {role: headers.index(h) for role, h in columns.items() if role in ROLES and h in headers}
    if "cost" not in index:
        raise VendorFileError("Choose the column that holds the cost.")
    if "vendor_part" not in index and "code" not in index:
        raise VendorFileError("Choose the column of the vendor's part number (or of the item code).")
    if len(grid) > MAX_ROWS:
        raise VendorFileError(f"The file has {len(grid):,} rows; send at most {MAX_ROWS:,} at a time.")
    preview = VendorPreview(vendor=vendor, columns={role: headers[i] for role, i in index.items()})
    by_part = _vendor_parts(vendor, tenant_id)
    parsed = []
    for number, row in enumerate(grid, start=2):  # line 1 is the headings
        part, code, cost_text = _cell(row, index.get("vendor_part")), _cell(row, index.get("code")), ""
        if "cost" in index and index["cost"] < len(row) and row[index["cost"]] is not None:
            cost_text = str(row[index["cost"]]).strip()
        if not part and not code and not cost_text:
            continue  # an empty line
        preview.rows += 1
        try:
            cost = parse_cost(row[index["cost"]] if index["cost"] < len(row) else None)
        except ValueError as exc:
            preview.invalid.append(RowProblem(number, part, code, cost_text, f"The cost is not valid: {exc}."))
            continue
        parsed.append((number, part, code, cost_text, cost))
    # Rows no vendor part matched are looked up by their item code (or by the part number used as a code).
    codes = {code or part for _, part, code, _, _ in parsed if not by_part.get(part.upper())} - {""}
    by_code = _by_code(codes, tenant_id)
    matches = []
    for number, part, code, cost_text, cost in parsed:
        candidates, how = by_part.get(part.upper(), []) if part else [], "vendor part"
        if not candidates:
            candidates, how = by_code.get(code or part, []), "code"
        if not candidates:
            reason = f"No material has {vendor} part {part!r}" if part else "No part number"
            reason += f" nor code {code!r}." if code else "."
            preview.unmatched.append(RowProblem(number, part, code, cost_text, reason))
        elif len(candidates) > 1:
            preview.ambiguous.append(
                RowProblem(
                    number,
                    part,
                    code,
                    cost_text,
                    f"{len(candidates)} materials match by {how}; fix the duplicates in ServiceTitan.",
                    sorted(c[0] for c in candidates),
                )
            )
        else:
            matches.append((number, part, code, cost, how, candidates[0]))
    pending = _pending_costs({m[5][0] for m in matches}, tenant_id)
    # The same item twice in the file: the last row wins.
    last = {}
    for number, part, code, cost, how, (st_id, item_tenant, item_code, name, current) in matches:
        shown = pending.get((item_tenant, st_id), current)
        last[(item_tenant, st_id)] = CostMatch(
            number, part, code, st_id, item_tenant, item_code, name, str(shown), str(cost), how
        )
    preview.matched = sorted(last.values(), key=lambda m: m.line)
    return preview


def read_price_file(filename: str, content: bytes) -> tuple[list[str], list[tuple]]:
    """The file's headings and rows; VendorFileError when it cannot be read."""
    try:
        headers, grid = read_grid(filename, content)
    except ImportFileError as exc:
        raise VendorFileError(str(exc)) from None
    if not any(headers):
        raise VendorFileError("The file has no headings in its first row.")
    return headers, grid


def apply_vendor_costs(preview: VendorPreview, *, user=None) -> VendorCostsApplied:
    """Write the preview's changed costs as cost overrides (pending; pushed on commit), in bulk, then propose the
    reprice of those items by the pricing rules (from their new costs): a batch waiting for approval like any other."""
    changes = [(m.tenant_id, m.st_id, Decimal(m.new_cost)) for m in preview.changed]
    ids = save_cost_overrides(
        changes,
        user=user,
        vendor=preview.vendor,
        origin=PricebookOverride.Origin.IMPORT,
        message=f"Cost from {preview.vendor}'s price file.",
    )
    batch = None
    if changes:
        batch = propose_reprice(
            tenant_id=changes[0][0],
            targets=["pricebook.materials"],
            st_ids=[st_id for _, st_id, _ in changes],
            user=user,
        )
    return VendorCostsApplied(ids, batch)


@dataclass(frozen=True)
class VendorCostsApplied:
    override_ids: list[int]
    # The proposed reprice of the items whose cost changed (None when nothing changed).
    batch: object = None
