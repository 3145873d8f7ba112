"""Export pricebook items to CSV/Excel and import edited files back as overrides (previewed, errors per row)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from pricebook.models import override_fields_for
from pricebook.selectors import effective_margins, item_kind, with_effective_values, with_margins
from pricebook.services.guardrails import price_errors, price_warnings, values_after
from pricebook.services.overrides import save_override

# Columns staff can edit, in file order, with the headings staff may write instead of the column name. `cost` only
# for materials and equipment (a service's cost is rolled up from its labour and linked items: exported, read-only).
EDITABLE_COLUMNS = ("name", "cost", "price", "member_price", "add_on_price", "description", "active")
# Read-only columns: the effective margin and markup (with a pending override), ServiceTitan's own beside them.
MARGIN_COLUMNS = ("margin_percent", "markup_percent", "servicetitan_margin_percent", "servicetitan_markup_percent")
EXPORT_COLUMNS = ("code", *EDITABLE_COLUMNS, *MARGIN_COLUMNS, "st_id", "override_status")
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
    """One dict per item with its effective (shown) values, margin and markup (ServiceTitan's beside them).

    A service's `cost` is its total (labour + linked items), not editable."""
    rows = []
    editable = editable_columns(item_type)
    for item in with_margins(qs, item_type).order_by("code"):
        row = {"code": item.code, "st_id": item.st_id, "override_status": item.override_status or ""}
        for column in editable:
            row[column] = getattr(item, f"effective_{column}")
        margins = effective_margins(item, item_type)
        row["cost"] = margins["cost"]
        row["margin_percent"], row["markup_percent"] = margins["margin_percent"], margins["markup_percent"]
        row["servicetitan_margin_percent"] = item.margin_percent
        row["servicetitan_markup_percent"] = item.markup_percent
        rows.append(row)
    return rows


def _cell(value) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, bool):
        return "yes" if value else "no"
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
            values.append(float(value) if isinstance(value, Decimal) else _cell(value))
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(name) -> str:
    key = str(name or "").strip().lower().replace(" ", "_")
    return _ALIASES.get(key, key)


def read_table(filename: str, content: bytes) -> list[dict[str, Any]]:
    """The file's rows as dicts keyed by normalized column names; CSV or Excel (.xlsx)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:
            raise ImportFileError("This Excel file cannot be read; save it as .xlsx and try again.") from exc
        rows = workbook.active.iter_rows(values_only=True)
        try:
            headers = [_header(h) for h in next(rows)]
        except StopIteration:
            raise ImportFileError("The file is empty.") from None
        table = [dict(zip(headers, row, strict=False)) for row in rows if any(v not in (None, "") for v in row)]
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError:
                raise ImportFileError("This file is neither a CSV (UTF-8) nor an Excel .xlsx file.") from None
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            raise ImportFileError("The file is empty.")
        table = [{_header(k): v for k, v in row.items()} for row in reader]
    if table and "code" not in table[0] and "st_id" not in table[0]:
        raise ImportFileError("The file needs a 'code' column (or 'st_id') to find the items.")
    if len(table) > MAX_ROWS:
        raise ImportFileError(f"The file has {len(table)} rows; import at most {MAX_ROWS} at a time.")
    return table


def _parse(column: str, raw) -> Any:
    """A cell as the value to store; raises ValueError with a staff message."""
    if column in _MONEY:
        if isinstance(raw, int | float | Decimal):
            return Decimal(str(raw)).quantize(Decimal("0.0001"))
        text = str(raw).strip().replace("$", "").replace(",", "")
        try:
            return Decimal(text).quantize(Decimal("0.0001"))
        except InvalidOperation:
            raise ValueError(f"{column}: '{raw}' is not a number") from None
    if column == "active":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"active: '{raw}' should be yes or no")
    return str(raw).strip() if column == "name" else str(raw)


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
        money = {name: new for name, (_, new) in row.changes.items() if name in _MONEY}
        for messages in price_errors(money).values():
            row.errors.extend(messages)
        if row.changes and not row.errors:
            effective = {name: getattr(item, f"effective_{name}", None) for name in _MONEY}
            after = values_after(item, money, item_type=item_type, effective=effective)
            row.warnings = [w.message for w in price_warnings(item_type, after)]
    return ImportPreview(item_type=item_type, rows=rows)


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
                item_type=item_type, st_id=change["st_id"], tenant_id=change["tenant_id"], values=values, user=user
            )
            count += 1
    return count
