"""Export pricebook items to CSV/Excel and import edited files back as overrides (previewed, errors per row)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from pricebook.models import PricebookOverride, override_fields_for
from pricebook.selectors import effective_margins, item_kind, with_effective_values, with_margins
from pricebook.services.guardrails import price_errors, price_warnings, values_after
from pricebook.services.overrides import save_override
from servicetitan.conversions import utc_datetime

# Columns staff can edit, in file order, with the headings staff may write instead of the column name. `cost` only
# for materials and equipment (a service's cost is rolled up from its labour and linked items: exported, read-only).
EDITABLE_COLUMNS = ("name", "cost", "price", "member_price", "add_on_price", "description", "active")
# Read-only columns: the effective margin and markup (with a pending override), ServiceTitan's own beside them.
MARGIN_COLUMNS = ("margin_percent", "markup_percent", "servicetitan_margin_percent", "servicetitan_markup_percent")
# `category` is for reading; `exported_at` lets an import tell rows changed since the export (stale) from edits.
EXPORT_COLUMNS = ("code", *EDITABLE_COLUMNS, *MARGIN_COLUMNS, "category", "st_id", "override_status", "exported_at")
_MONEY = {"cost", "price", "member_price", "add_on_price"}


def editable_columns(item_type: str) -> tuple[str, ...]:
    fields = {f.name for f in override_fields_for(item_type)}
    return tuple(column for column in EDITABLE_COLUMNS if column in fields)


_ALIASES = {
    "display_name": "name",
    "displayname": "name",
    "member": "member_price",
    "memberprice": "member_price",
    "add-on_price": "add_on_price",
    "addon_price": "add_on_price",
    "addonprice": "add_on_price",
    "servicetitan_id": "st_id",
    "id": "st_id",
}
_TRUE = {"yes", "y", "true", "1", "active"}
_FALSE = {"no", "n", "false", "0", "inactive"}
MAX_ROWS = 20_000


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is for staff."""


def export_rows(qs, item_type: str) -> list[dict[str, Any]]:
    """One dict per item with its effective (shown) values, margin and markup (ServiceTitan's beside them), its
    categories and the moment of the export.

    A service's `cost` is its total (labour + linked items), not editable."""
    rows = []
    editable = editable_columns(item_type)
    exported_at = timezone.now().replace(microsecond=0).isoformat()
    for item in with_margins(qs, item_type).prefetch_related("categories").order_by("code"):
        row = {
            "code": item.code,
            "st_id": item.st_id,
            "override_status": item.override_status or "",
            "category": "; ".join(sorted(c.path or c.name for c in item.categories.all())),
            "exported_at": exported_at,
        }
        for column in editable:
            row[column] = getattr(item, f"effective_{column}")
        margins = effective_margins(item, item_type)
        row["cost"] = margins["cost"]
        row["margin_percent"], row["markup_percent"] = margins["margin_percent"], margins["markup_percent"]
        row["servicetitan_margin_percent"] = item.margin_percent
        row["servicetitan_markup_percent"] = item.markup_percent
        rows.append(row)
    return rows


def last_changed(item):
    """When what staff see of the item last changed: ServiceTitan's modifiedOn or the override's edit."""
    moments = [m for m in (item.st_modified_on, getattr(item, "override_changed_at", None)) if m is not None]
    return max(moments) if moments else None


# OWASP's CSV injection rule: a text cell starting with one of these would be read as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell as text: a leading apostrophe in front of anything a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _unneutralise(text: str) -> str:
    """The text an exported cell stood for (re-importing an export gives back the same name)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _cell(value) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # Plain numbers with cents: "99.99", not "99.9900".
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return neutralise(value)
    return value


def write_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    # With a BOM so Excel opens accents right.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(rows: list[dict], title: str = "Pricebook") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        values = []
        for column in EXPORT_COLUMNS:
            value = row.get(column)
            values.append(float(value.quantize(Decimal("0.01"))) if isinstance(value, Decimal) else _cell(value))
        sheet.append(values)
        for cell, column in zip(sheet[sheet.max_row], EXPORT_COLUMNS, strict=True):
            if column in _MONEY:
                cell.number_format = "0.00"
            if cell.data_type == "f":  # openpyxl takes a text starting with "=" for a formula: keep it text
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(name) -> str:
    key = str(name or "").strip().lower().replace(" ", "_")
    return _ALIASES.get(key, key)


def read_grid(filename: str, content: bytes) -> tuple[list[str], list[tuple]]:
    """The file's header cells (as written) and its non-empty rows (tuples of cells); CSV or Excel (.xlsx)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:
            raise ImportFileError("This Excel file cannot be read; save it as .xlsx and try again.") from exc
        rows = workbook.active.iter_rows(values_only=True)
        try:
            headers = ["" if h is None else str(h).strip() for h in next(rows)]
        except StopIteration:
            raise ImportFileError("The file is empty.") from None
        return headers, [tuple(row) for row in rows if any(v not in (None, "") for v in row)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError("This file is neither a CSV (UTF-8) nor an Excel .xlsx file.") from None
    reader = csv.reader(io.StringIO(text))
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    except csv.Error as exc:
        raise ImportFileError(f"This CSV file cannot be read: {exc}.") from None
    if not any(headers):
        raise ImportFileError("The file is empty.")
    try:
        # As csv.DictReader reads them: blank lines skipped, rows of empty cells kept (line numbers stay right).
        return headers, [tuple(row) for row in reader if row]
    except csv.Error as exc:
        raise ImportFileError(f"This CSV file cannot be read: {exc}.") from None


def read_table(filename: str, content: bytes) -> list[dict[str, Any]]:
    """The file's rows as dicts keyed by normalized column names; CSV or Excel (.xlsx)."""
    raw_headers, grid = read_grid(filename, content)
    headers = [_header(h) for h in raw_headers]
    table = [dict(zip(headers, row, strict=False)) for row in grid]
    if table and "code" not in table[0] and "st_id" not in table[0]:
        raise ImportFileError("The file needs a 'code' column (or 'st_id') to find the items.")
    if len(table) > MAX_ROWS:
        raise ImportFileError(f"The file has {len(table)} rows; import at most {MAX_ROWS} at a time.")
    return table


def _shorten(raw) -> str:
    text = str(raw)
    return text if len(text) <= 40 else f"{text[:40]}… ({len(text)} characters)"


def _validated(column: str, value) -> Any:
    """The value checked by the admin override form's own field for this column (digits, length, …)."""
    from django.core.exceptions import ValidationError

    from pricebook.forms import LABELS, _form_field

    try:
        return _form_field(column).clean(value)
    except ValidationError as exc:
        raise ValueError(f"{LABELS[column].lower()}: {' '.join(exc.messages)}") from None


def _parse(column: str, raw) -> Any:
    """A cell as the value to store, validated as the admin form validates it; raises ValueError with a staff
    message."""
    if column in _MONEY:
        text = str(raw).strip().replace("$", "").replace(",", "")
        try:
            number = Decimal(str(raw)) if isinstance(raw, int | float | Decimal) else Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(f"{column}: '{_shorten(raw)}' is not a number")
        try:
            number = number.quantize(Decimal("0.0001"))
        except InvalidOperation:
            raise ValueError(f"{column}: '{_shorten(raw)}' is too large") from None
        return _validated(column, number)
    if column == "active":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"active: '{raw}' should be yes or no")
    text = _unneutralise(str(raw).strip() if column == "name" else str(raw))
    return _validated(column, text) if column == "name" else text


@dataclass
class ImportRow:
    line: int
    code: str
    st_id: int | None = None
    tenant_id: int | None = None
    # field -> (shown now, new)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    # field -> value to store in the override (None = back to ServiceTitan's)
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    stale: bool = False
    # To confirm before applying (member price at or above price, price below cost, …).
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    item_type: str
    rows: list[ImportRow]

    @property
    def changed(self) -> list[ImportRow]:
        return [r for r in self.rows if r.changes and not r.errors]

    @property
    def with_errors(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    @property
    def stale(self) -> list[ImportRow]:
        return [r for r in self.rows if r.stale]

    @property
    def with_warnings(self) -> list[ImportRow]:
        return [r for r in self.changed if r.warnings]

    def to_session(self) -> list[dict]:
        """The changes to apply, JSON-safe (kept in the session between preview and apply)."""
        return [
            {
                "st_id": r.st_id,
                "tenant_id": r.tenant_id,
                "values": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in r.values.items()},
            }
            for r in self.changed
        ]


def preview_import(item_type: str, filename: str, content: bytes) -> ImportPreview:
    table = read_table(filename, content)
    kind = item_kind(item_type)
    codes = {str(r.get("code") or "").strip() for r in table} - {""}
    by_code: dict[str, list] = {}
    items = with_effective_values(kind.master.objects.filter(code__in=codes, deleted=False), item_type)
    for item in items:
        by_code.setdefault(item.code, []).append(item)
    ids = {int(r["st_id"]) for r in table if str(r.get("st_id") or "").strip().isdigit()}
    by_id = {i.st_id: i for i in with_effective_values(kind.master.objects.filter(st_id__in=ids), item_type)}

    rows = []
    for line, record in enumerate(table, start=2):
        code = str(record.get("code") or "").strip()
        row = ImportRow(line=line, code=code)
        rows.append(row)
        st_id_text = str(record.get("st_id") or "").strip()
        item = None
        if st_id_text.isdigit():
            item = by_id.get(int(st_id_text))
            if item is None:
                row.errors.append(f"no item with ServiceTitan id {st_id_text}")
                continue
        elif code:
            matches = by_code.get(code, [])
            if not matches:
                row.errors.append(f"no {item_type} with code '{code}'")
                continue
            if len(matches) > 1:
                row.errors.append(f"several items have code '{code}'; add their st_id column")
                continue
            item = matches[0]
        else:
            row.errors.append("no code")
            continue
        row.code, row.st_id, row.tenant_id = item.code, item.st_id, item.tenant_id
        exported_at = _moment(record.get("exported_at"))
        changed_at = last_changed(item)
        if item_type == "service" and str(record.get("cost") or "").strip():
            # The exported total cost comes back unchanged: only a changed one is worth a word.
            try:
                if not _equal(item.total_cost, _parse("cost", record["cost"])):
                    row.errors.append("cost: a service's cost is its labour plus linked items; it cannot be set here")
            except ValueError as exc:
                row.errors.append(str(exc))
        for column in editable_columns(item_type):
            raw = record.get(column)
            if raw is None or (isinstance(raw, str) and raw.strip() == "" and column != "description"):
                continue
            try:
                value = _parse(column, raw)
            except ValueError as exc:
                row.errors.append(str(exc))
                continue
            shown = getattr(item, f"effective_{column}")
            if _equal(shown, value):
                continue
            row.changes[column] = (shown, value)
            row.values[column] = None if _equal(getattr(item, column), value) else value
        if row.changes and exported_at and changed_at and changed_at > exported_at:
            # The file predates a newer edit: applying it would silently revert that edit.
            row.errors.append(
                f"stale: the item changed on {changed_at:%Y-%m-%d %H:%M} UTC, after this file was exported "
                f"({exported_at:%Y-%m-%d %H:%M} UTC); export again and redo this row"
            )
            row.stale = True
        money = {name: new for name, (_, new) in row.changes.items() if name in _MONEY}
        for messages in price_errors(money).values():
            row.errors.extend(messages)
        if row.changes and not row.errors:
            effective = {name: getattr(item, f"effective_{name}", None) for name in _MONEY}
            after = values_after(item, money, item_type=item_type, effective=effective)
            row.warnings = [w.message for w in price_warnings(item_type, after)]
    return ImportPreview(item_type=item_type, rows=rows)


def _moment(raw):
    """The `exported_at` cell as an aware datetime (no offset: UTC), None when absent or unreadable."""
    return utc_datetime(raw or None)


def _equal(a, b) -> bool:
    if isinstance(b, Decimal):
        return a is not None and Decimal(a) == b
    if isinstance(b, str):
        return (a or "") == b
    return a == b


def apply_import(item_type: str, changes: list[dict], user=None) -> int:
    """Write the previewed changes as overrides (pending; pushed on commit). Returns how many items changed."""
    count = 0
    with transaction.atomic():
        for change in changes:
            values = {k: (Decimal(v) if k in _MONEY and v is not None else v) for k, v in change["values"].items()}
            save_override(
                item_type=item_type,
                st_id=change["st_id"],
                tenant_id=change["tenant_id"],
                values=values,
                user=user,
                origin=PricebookOverride.Origin.IMPORT,
            )
            count += 1
    return count
