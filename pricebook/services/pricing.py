"""Changing prices of many items at once: by a percentage or a fixed amount, with a rounding rule, previewed first."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db import transaction

from pricebook.selectors import cost_column, effective_values, get_override, item_type_of
from pricebook.services.guardrails import MONEY_FIELDS, PriceWarning, price_warnings, values_after
from pricebook.services.overrides import enqueue_push, save_override

PRICE_FIELDS = {"price": "Price", "member_price": "Member price", "add_on_price": "Add-on price"}
CENT = Decimal("0.01")


class Rounding:
    CENTS = "cents"
    WHOLE = "whole"
    UP_99 = "up_99"
    UP_95 = "up_95"
    FIVE = "five"
    CHOICES = (
        (CENTS, "To the cent"),
        (WHOLE, "To whole dollars"),
        (UP_99, "Up to a price ending in .99"),
        (UP_95, "Up to a price ending in .95"),
        (FIVE, "Up to a multiple of 5"),
    )


def round_price(value: Decimal, rule: str) -> Decimal:
    """Apply a rounding rule. "Up to .99": 12.34 → 12.99, 12.99 → 12.99, 13.00 → 13.99 (never below the value);
    "up to a multiple of 5": 12.01 → 15.00, 15.00 → 15.00."""
    if rule == Rounding.FIVE:
        return ((value / 5).to_integral_value(rounding=ROUND_CEILING) * 5).quantize(CENT)
    if rule == Rounding.WHOLE:
        return value.quantize(Decimal(1), rounding=ROUND_HALF_UP).quantize(CENT)
    if rule in (Rounding.UP_99, Rounding.UP_95):
        ending = Decimal("0.01") if rule == Rounding.UP_99 else Decimal("0.05")
        return ((value + ending).to_integral_value(rounding=ROUND_CEILING) - ending).quantize(CENT)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def changed_price(current: Decimal, *, mode: str, amount: Decimal, rounding: str) -> Decimal:
    """`mode` "percent": +10 means 10% more; "amount": +2.50 adds 2.50 (negative values lower prices)."""
    current = Decimal(current or 0)
    if mode == "percent":
        new = current * (Decimal(100) + amount) / Decimal(100)
    elif mode == "amount":
        new = current + amount
    else:
        raise ValueError(f"unknown price change mode {mode!r}")
    return round_price(new, rounding)


class UnconfirmedWarnings(Exception):
    """Some new prices carry warnings staff have not confirmed; nothing was saved."""

    def __init__(self, warnings: list[PriceWarning]):
        self.warnings = warnings
        super().__init__(f"{len(warnings)} warning(s) to confirm before these prices are saved.")


@dataclass
class PriceChangeRow:
    item: object
    field: str
    current: Decimal
    new: Decimal
    # The item's warnings once all its new prices apply (member price at or above price, price below cost, …).
    warnings: list[PriceWarning] = dataclass_field(default_factory=list)

    @property
    def label(self) -> str:
        return PRICE_FIELDS[self.field]

    @property
    def problem(self) -> str:
        return "would be negative; left unchanged" if self.new < 0 else ""


def preview_price_change(items, *, fields, mode: str, amount: Decimal, rounding: str) -> list[PriceChangeRow]:
    """What `apply_price_change` would do, computed from each item's effective (shown) price."""
    rows = []
    for item in items:
        item_type = item_type_of(item)
        # Lists annotated by `with_effective_values` (the admin's) cost no extra query per item.
        if all(hasattr(item, f"effective_{name}") for name in (*fields, "price", "member_price")):
            current = {
                name: getattr(item, f"effective_{name}") for name in MONEY_FIELDS if hasattr(item, f"effective_{name}")
            }
        else:
            current = effective_values(item)
        item_rows = [
            PriceChangeRow(
                item,
                field,
                current[field],
                changed_price(current[field], mode=mode, amount=amount, rounding=rounding),
            )
            for field in fields
        ]
        changes = {row.field: row.new for row in item_rows if not row.problem}
        after = values_after(item, changes, item_type=item_type, effective=current)
        warnings = price_warnings(item_type, after, after.get("cost", getattr(item, cost_column(item_type))))
        for row in item_rows:
            row.warnings = warnings
        rows.extend(item_rows)
    return rows


def warnings_of(rows: list[PriceChangeRow]) -> list[PriceWarning]:
    """Each item's warnings once (rows of one item share them)."""
    seen, warnings = set(), []
    for row in rows:
        if id(row.item) not in seen:
            seen.add(id(row.item))
            warnings.extend(row.warnings)
    return warnings


def apply_price_change(
    items, *, fields, mode: str, amount: Decimal, rounding: str, user=None, confirm_warnings: bool = False
) -> int:
    """Create or update overrides with the new prices (pending, pushed on commit). Returns how many items changed.

    Raises `UnconfirmedWarnings` (nothing saved) when a new price carries a warning and `confirm_warnings` is False."""
    rows = preview_price_change(items, fields=fields, mode=mode, amount=amount, rounding=rounding)
    warnings = warnings_of([row for row in rows if not row.problem and row.new != row.current])
    if warnings and not confirm_warnings:
        raise UnconfirmedWarnings(warnings)
    by_item: dict[tuple, dict] = {}
    items_by_key = {}
    for row in rows:
        if row.problem or row.new == row.current:
            continue
        key = (item_type_of(row.item), row.item.st_id, row.item.tenant_id)
        items_by_key[key] = row.item
        by_item.setdefault(key, {})[row.field] = row.new
    saved = []
    with transaction.atomic():
        for (item_type, st_id, tenant_id), changes in by_item.items():
            item = items_by_key[(item_type, st_id, tenant_id)]
            values = _values_with_master_equal_as_none(item, item_type, changes)
            override = save_override(
                item_type=item_type, st_id=st_id, tenant_id=tenant_id, values=values, user=user, queue_push=False
            )
            if override is not None:
                saved.append(override.pk)
        # One push for all of them: the bulk path instead of one request pair per item.
        enqueue_push(saved)
    return len(by_item)


def _values_with_master_equal_as_none(item, item_type: str, changes: dict) -> dict:
    """A price equal to ServiceTitan's again is no override (None); an existing pending override keeps the rest."""
    if hasattr(item, "override_id"):
        has_override = item.override_id is not None
    else:
        has_override = get_override(item_type, item.st_id, item.tenant_id) is not None
    values = {}
    for field, value in changes.items():
        values[field] = None if value == getattr(item, field) else value
    if not has_override:
        values = {k: v for k, v in values.items() if v is not None}
    return values
