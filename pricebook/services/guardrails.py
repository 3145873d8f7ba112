"""Guardrails on prices and costs, shared by every place a price can be set (admin form, price change, spreadsheet
import, REST API; the reprice code adds its own checks through `price_warnings`).

- `price_errors`: refused outright (a negative price or cost), before anything is saved.
- `price_warnings`: allowed once staff confirm (member price at or above the price, price below cost). Extend it by
  adding a checker to `WARNING_CHECKS` (e.g. "margin below the rule's minimum"): a function
  `(item_type, values, cost) -> list[PriceWarning]`.

`values` are the item's values *after* the change (field name -> Decimal or None), e.g. the effective values with the
edit applied (`values_after`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

MONEY_FIELDS = ("cost", "price", "member_price", "add_on_price")
LABELS = {"cost": "cost", "price": "price", "member_price": "member price", "add_on_price": "add-on price"}


@dataclass(frozen=True)
class PriceWarning:
    code: str  # "member_price_above_price", "price_below_cost", … stable, for API clients
    field: str  # the field it is about
    message: str  # for staff, in plain words

    def __str__(self):
        return self.message


class GuardrailError(ValueError):
    """A value is refused; `errors` maps field -> messages for staff."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(" ".join(m for messages in errors.values() for m in messages))


def _money(value) -> str:
    return f"{Decimal(value):,.2f}"


def price_errors(values: dict) -> dict[str, list[str]]:
    """Field -> messages for values that can never be saved (negative money)."""
    errors: dict[str, list[str]] = {}
    for name in MONEY_FIELDS:
        value = values.get(name)
        if value is not None and Decimal(value) < 0:
            errors.setdefault(name, []).append(
                f"The {LABELS[name]} cannot be negative ({_money(value)}); enter 0 or more."
            )
    return errors


def check_price_errors(values: dict) -> None:
    errors = price_errors(values)
    if errors:
        raise GuardrailError(errors)


def _member_price(item_type: str, values: dict, cost) -> list[PriceWarning]:
    price, member = values.get("price"), values.get("member_price")
    if price is None or member is None or Decimal(member) <= 0 or Decimal(price) <= 0:
        return []
    if Decimal(member) > Decimal(price):
        return [
            PriceWarning(
                "member_price_above_price",
                "member_price",
                f"The member price ({_money(member)}) is above the price ({_money(price)}): members would pay more.",
            )
        ]
    if Decimal(member) == Decimal(price):
        return [
            PriceWarning(
                "member_price_equals_price",
                "member_price",
                f"The member price equals the price ({_money(price)}): members get no discount.",
            )
        ]
    return []


def _below_cost(item_type: str, values: dict, cost) -> list[PriceWarning]:
    price = values.get("price")
    if price is None or cost is None or Decimal(cost) <= 0 or Decimal(price) >= Decimal(cost):
        return []
    return [
        PriceWarning(
            "price_below_cost",
            "price",
            f"The price ({_money(price)}) is below the cost ({_money(cost)}): this item would sell at a loss.",
        )
    ]


WARNING_CHECKS: list[Callable[[str, dict, Decimal | None], list[PriceWarning]]] = [_member_price, _below_cost]


def price_warnings(item_type: str, values: dict, cost=None) -> list[PriceWarning]:
    """What staff must confirm before these values are saved. `cost` defaults to `values["cost"]`."""
    if cost is None:
        cost = values.get("cost")
    warnings: list[PriceWarning] = []
    for check in WARNING_CHECKS:
        warnings.extend(check(item_type, values, cost))
    return warnings


def values_after(item, changes: dict, *, item_type: str | None = None, effective: dict | None = None) -> dict:
    """The item's money values once `changes` apply (a change of None means back to ServiceTitan's value)."""
    from pricebook.selectors import cost_column, effective_values, item_type_of

    item_type = item_type or item_type_of(item)
    effective = effective if effective is not None else effective_values(item, item_type=item_type)
    values = {}
    for name in MONEY_FIELDS:
        if name in changes:
            values[name] = changes[name] if changes[name] is not None else getattr(item, name, None)
        else:
            values[name] = effective.get(name, getattr(item, name, None))
    if item_type == "service":
        # A service's cost is its rolled-up cost (labour + linked items), never overridden.
        values["cost"] = getattr(item, cost_column(item_type))
    return values
