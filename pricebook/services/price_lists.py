"""The lists that price a sale but are not priced from cost: discounts and fees, and client-specific rate sheets.

Their edits are overrides like the items' (kinds `discount_fee` and `rate_sheet`, `ITEM_KINDS` with `priced=False`);
what is particular to them lives here: a rate sheet's exceptions compared and sent as ServiceTitan's request schema
wants them (`Estimates.V2.ClientSpecificPricingExceptionRequest`: skuId, value, valueType; the answer adds skuType),
and the values refused before anything is saved (a negative amount or limit, an exception ServiceTitan cannot take).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

AMOUNT_TYPES = ("Percentage", "Fixed")
# Pricing.RateSheets.Services.MarkupType.
VALUE_TYPES = ("Percent", "Dollar", "Multiplier", "FlatPrice", "DiscountPercent")
# A price, a factor or a discount cannot be below zero (a Percent or Dollar markup can: a markdown).
NON_NEGATIVE_VALUE_TYPES = ("Multiplier", "FlatPrice", "DiscountPercent")
MONEY_LABELS = {"amount": "amount", "limit": "limit"}


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def exception_errors(exceptions) -> list[str]:
    """Why these exceptions cannot be sent, in staff's words (empty when they can)."""
    if not isinstance(exceptions, list):
        return ["The exceptions must be a list of {skuId, value, valueType}."]
    errors, seen = [], set()
    for number, exception in enumerate(exceptions, 1):
        if not isinstance(exception, dict):
            errors.append(f"Exception {number} must have a SKU id, a value and a value type.")
            continue
        sku_id, value, value_type = exception.get("skuId"), _number(exception.get("value")), exception.get("valueType")
        if isinstance(sku_id, bool) or not isinstance(sku_id, int) or sku_id <= 0:
            errors.append(f"Exception {number}: the SKU id must be a ServiceTitan id (a whole number above 0).")
        elif sku_id in seen:
            errors.append(f"Exception {number}: SKU {sku_id} is listed twice; keep one exception per SKU.")
        seen.add(sku_id)
        if value_type not in VALUE_TYPES:
            errors.append(f"Exception {number}: the value type must be one of {', '.join(VALUE_TYPES)}.")
        if value is None:
            errors.append(f"Exception {number}: the value must be a number.")
        elif value < 0 and value_type in NON_NEGATIVE_VALUE_TYPES:
            errors.append(f"Exception {number}: a {value_type} value cannot be negative ({value}); enter 0 or more.")
        elif value_type == "DiscountPercent" and value > 100:
            errors.append(f"Exception {number}: a discount cannot be more than 100% ({value}).")
    return errors


def price_list_errors(values: dict) -> dict[str, list[str]]:
    """Field -> messages for discount/fee and rate-sheet values that can never be saved."""
    errors: dict[str, list[str]] = {}
    for name, label in MONEY_LABELS.items():
        value = values.get(name)
        if value is not None and Decimal(value) < 0:
            errors.setdefault(name, []).append(f"The {label} cannot be negative ({value}); enter 0 or more.")
    amount_type = values.get("amount_type")
    if amount_type is not None and amount_type not in AMOUNT_TYPES:
        errors.setdefault("amount_type", []).append(f"The amount type must be {' or '.join(AMOUNT_TYPES)}.")
    if amount_type == "Percentage" and values.get("amount") is not None and Decimal(values["amount"]) > 100:
        errors.setdefault("amount", []).append(f"A percentage cannot be more than 100 ({values['amount']}).")
    if values.get("exceptions") is not None:
        found = exception_errors(values["exceptions"])
        if found:
            errors["exceptions"] = found
    return errors


def exception_requests(exceptions) -> list[dict]:
    """Exceptions as the PATCH takes them ({skuId, value, valueType}; skuType is the answer's only), in SKU order."""
    rows = []
    for exception in exceptions or []:
        if isinstance(exception, dict):
            value = _number(exception.get("value"))
            number = value.normalize() if value is not None else Decimal(0)
            rows.append(
                {
                    "skuId": exception.get("skuId"),
                    "value": int(number) if number == number.to_integral_value() else float(number),
                    "valueType": exception.get("valueType"),
                }
            )
    return sorted(rows, key=lambda row: (str(row["skuId"]), str(row["valueType"])))


def same_value(name: str, value, st_value) -> bool:
    """True when `value` for field `name` is what ServiceTitan has already (so it is no override)."""
    if value is None:
        return True
    if name in ("name", "description", "display_name", "amount_type"):
        return (value or "") == (st_value or "")
    if name in ("active", "taxable"):
        return bool(value) == bool(st_value)
    if name == "exceptions":
        return same_exceptions(st_value, value)
    return Decimal(value) == Decimal(st_value or 0)


def same_exceptions(current, wanted) -> bool:
    """True when two exception lists say the same (order, skuType and number spelling aside)."""

    def key(rows):
        return [(r["skuId"], r["valueType"], _number(r["value"])) for r in exception_requests(rows)]

    return key(current) == key(wanted)


def exceptions_text(exceptions) -> str:
    """Exceptions as staff read and write them: one a line, `SKU id, value type, value` (e.g. `1001, Percent, 10`)."""
    return "\n".join(f"{row['skuId']}, {row['valueType']}, {row['value']}" for row in exception_requests(exceptions))


def parse_exceptions_text(text: str) -> tuple[list[dict], list[str]]:
    """The exceptions written one a line (`SKU id, value type, value`), and what is wrong with the lines, if anything.
    An empty text is an empty list (no exceptions: the sheet prices nothing differently)."""
    rows, errors = [], []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.replace(";", ",").split(",")]
        if len(parts) != 3:
            errors.append(f"Line {number} ({line.strip()}): write SKU id, value type, value — e.g. 1001, Percent, 10.")
            continue
        sku, value_type, value = parts
        matched = next((t for t in VALUE_TYPES if t.lower() == value_type.lower()), value_type)
        number_value = _number(value)
        if not sku.isdigit():
            errors.append(f"Line {number}: the SKU id {sku!r} must be a ServiceTitan id (digits only).")
            continue
        if number_value is None:
            errors.append(f"Line {number}: the value {value!r} must be a number.")
            continue
        rows.append({"skuId": int(sku), "valueType": matched, "value": str(number_value)})
    if not errors:
        errors = exception_errors(rows)
    return rows, errors
