"""Pricing rules' arithmetic (PRICING.md), pure: no database. Prices from cost, each with its one-line explanation and
its flags. A rule is anything with `PricingRule`'s attributes; tiers are `Tier`s (ServiceTitan's markup table)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pricebook.services.pricing import Rounding, round_price

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

ROUNDING_TEXT = {
    Rounding.CENTS: "cents",
    Rounding.WHOLE: "whole dollars",
    Rounding.UP_99: ".99",
    Rounding.UP_95: ".95",
    Rounding.FIVE: "multiple of 5",
}

# Flag codes and what they mean to staff.
FLAG_TOLERANCE = "tolerance"
FLAG_MIN_MARGIN = "min_margin"
FLAG_MEMBER = "member_not_below_price"
FLAG_NEGATIVE = "negative"
FLAG_COST_MISSING = "cost_missing"
FLAG_NO_TIER = "no_tier"
FLAG_LABELS = {
    FLAG_TOLERANCE: "past the tolerance",
    FLAG_MIN_MARGIN: "below the minimum margin",
    FLAG_MEMBER: "member price not below price",
    FLAG_NEGATIVE: "negative price",
    FLAG_COST_MISSING: "cost missing",
    FLAG_NO_TIER: "no markup tier for this cost",
}


@dataclass(frozen=True)
class Tier:
    from_cost: Decimal
    to_cost: Decimal
    percent: Decimal


@dataclass
class Priced:
    """A computed price with how it was reached."""

    value: Decimal
    explanation: str
    flags: list[dict] = field(default_factory=list)


@dataclass
class Prices:
    """What a rule gives one item: price, member and add-on prices (None: the rule leaves that price as it is)."""

    cost: Decimal
    price: Decimal
    member_price: Decimal | None
    add_on_price: Decimal | None
    explanation: str
    flags: list[dict] = field(default_factory=list)


def money(value: Decimal) -> str:
    return f"{Decimal(value).quantize(CENT):f}"


def number(value: Decimal) -> str:
    """12.5000 → 12.5, 10 → 10 (percents, hours, tier bounds)."""
    value = Decimal(value).normalize()
    return f"{value.quantize(Decimal(1)) if value == value.to_integral_value() else value:f}"


def percent_of(value: Decimal | None, base: Decimal | None) -> Decimal | None:
    return None if value is None or not base else (Decimal(value) / Decimal(base) * HUNDRED).quantize(CENT)


def margin_percent(price: Decimal, cost: Decimal) -> Decimal | None:
    """(price − cost) / price × 100; undefined (None) at price 0."""
    price, cost = Decimal(price or 0), Decimal(cost or 0)
    return None if not price else ((price - cost) / price * HUNDRED).quantize(CENT)


def markup_percent(price: Decimal, cost: Decimal) -> Decimal | None:
    """(price − cost) / cost × 100; undefined (None) at cost 0."""
    price, cost = Decimal(price or 0), Decimal(cost or 0)
    return None if not cost else ((price - cost) / cost * HUNDRED).quantize(CENT)


def change_percent(current: Decimal, new: Decimal) -> Decimal | None:
    current = Decimal(current or 0)
    return None if not current else ((Decimal(new) - current) / current * HUNDRED).quantize(CENT)


# --- Markup ----------------------------------------------------------------------------------------------------------
def sorted_tiers(tiers: Iterable) -> list[Tier]:
    return sorted(
        (Tier(Decimal(t.from_cost), Decimal(t.to_cost), Decimal(t.percent)) for t in tiers), key=lambda t: t.from_cost
    )


def find_tier(cost: Decimal, tiers: Sequence[Tier]) -> Tier | None:
    """The tier with from ≤ cost < to; at or above the highest `to`, the highest tier. None when no tier covers it."""
    if not tiers:
        return None
    for tier in tiers:
        if tier.from_cost <= cost < tier.to_cost:
            return tier
    highest = max(tiers, key=lambda t: t.to_cost)
    return highest if cost >= highest.to_cost else None


def markup_of(cost: Decimal, rule, tiers: Sequence[Tier]) -> tuple[Decimal | None, str]:
    """(markup percent, its description) for this cost under the rule; (None, text) when no tier covers it."""
    if rule.markup == "percent":
        percent = Decimal(rule.markup_percent or 0)
        return percent, f"{number(percent)}%"
    tier = find_tier(cost, tiers)
    if tier is None:
        return None, "no tier"
    return tier.percent, f"{number(tier.percent)}% tier {number(tier.from_cost)}–{number(tier.to_cost)}"


def marked_up(cost: Decimal, rule, tiers: Sequence[Tier]) -> tuple[Decimal, str, bool]:
    """(cost × (1 + markup), its text, whether a tier covered it)."""
    percent, text = markup_of(cost, rule, tiers)
    if percent is None:
        return cost, f"{money(cost)} × (1 + 0%, no tier)", False
    return cost * (1 + percent / HUNDRED), f"{money(cost)} × (1 + {text})", True


# --- Rounding and the derived prices ------------------------------------------------------------------------------
def rounded(value: Decimal, rule) -> tuple[Decimal, str]:
    """The rounding applied last, and its text: " = 18.60 → .99 = 18.99" (only " = 18.60" when nothing moved)."""
    result = round_price(value, rule.rounding)
    exact = value.quantize(CENT)
    if result == exact:
        return result, f" = {money(result)}"
    return result, f" = {money(exact)} → {ROUNDING_TEXT.get(rule.rounding, rule.rounding)} = {money(result)}"


def member_price_of(price: Decimal, rule) -> Priced | None:
    if rule.member_discount_percent is None:
        return None
    discount = Decimal(rule.member_discount_percent)
    value, text = rounded(price * (1 - discount / HUNDRED), rule)
    return Priced(value, f"member {money(price)} × (1 − {number(discount)}%){text}")


def add_on_price_of(price: Decimal, rule, hours: Decimal | None = None) -> Priced | None:
    add_on_rate = getattr(rule, "add_on_rate", None)
    if add_on_rate is not None and hours is not None:
        value, text = rounded(Decimal(hours) * Decimal(add_on_rate), rule)
        return Priced(value, f"add-on {number(hours)} h × {money(add_on_rate)}{text}")
    if rule.add_on_percent is None:
        return None
    share = Decimal(rule.add_on_percent)
    value, text = rounded(price * share / HUNDRED, rule)
    return Priced(value, f"add-on {money(price)} × {number(share)}%{text}")


# --- Prices per item type -------------------------------------------------------------------------------------------
def labour(hours: Decimal, rule) -> tuple[Decimal, str]:
    """Billable labour: hours × rate, or the first N hours at the rate and the rest at the progressive rate."""
    hours = Decimal(hours or 0)
    rate = Decimal(rule.labor_rate or 0)
    after, later_rate = rule.progressive_after_hours, rule.progressive_rate
    if after is not None and later_rate is not None and hours > Decimal(after):
        first, rest = Decimal(after), hours - Decimal(after)
        value = first * rate + rest * Decimal(later_rate)
        return value, f"{number(first)} h × {money(rate)} + {number(rest)} h × {money(later_rate)}"
    return hours * rate, f"{number(hours)} h × {money(rate)}"


def material_prices(cost: Decimal, rule, tiers: Sequence[Tier]) -> Prices:
    """A material's or equipment item's prices: cost × (1 + markup), then member and add-on, each rounded last."""
    cost = Decimal(cost or 0)
    value, text, covered = marked_up(cost, rule, tiers)
    price, rounding_text = rounded(value, rule)
    return _finish(cost, price, f"cost {text}{rounding_text}", rule, covered=covered)


def service_prices(
    *,
    hours: Decimal,
    labour_cost: Decimal,
    parts: Sequence[tuple[Decimal, Decimal]],
    rule,
    tiers: Sequence[Tier],
) -> Prices:
    """A service's prices: billable labour + its materials and equipment (`parts`: (unit cost, quantity)) marked up
    one by one (each by its own cost's tier, times its quantity) or on their total (`materials_markup`)."""
    labour_value, labour_text = labour(hours, rule)
    parts_cost = sum((Decimal(c or 0) * Decimal(q or 0) for c, q in parts), ZERO)
    covered = True
    if not parts:
        parts_value, parts_text = ZERO, ""
    elif rule.materials_markup == "aggregate":
        parts_value, text, covered = marked_up(parts_cost, rule, tiers)
        parts_text = f" + parts {text}"
    else:
        pieces, parts_value = [], ZERO
        for unit_cost, quantity in parts:
            value, text, ok = marked_up(Decimal(unit_cost or 0), rule, tiers)
            covered = covered and ok
            parts_value += value * Decimal(quantity or 0)
            pieces.append(f"{number(quantity)} × {text}")
        parts_text = " + " + " + ".join(pieces)
    price, rounding_text = rounded(labour_value + parts_value, rule)
    cost = Decimal(labour_cost or 0) + parts_cost
    return _finish(cost, price, f"{labour_text}{parts_text}{rounding_text}", rule, covered=covered, hours=hours)


def _finish(cost: Decimal, price: Decimal, explanation: str, rule, *, covered: bool, hours=None) -> Prices:
    member = member_price_of(price, rule)
    add_on = add_on_price_of(price, rule, hours)
    parts = [explanation] + [p.explanation for p in (member, add_on) if p is not None]
    prices = Prices(
        cost=cost,
        price=price,
        member_price=member.value if member else None,
        add_on_price=add_on.value if add_on else None,
        explanation="; ".join(parts),
    )
    if not covered:
        prices.flags.append({"code": FLAG_NO_TIER, "reason": "no markup tier covers this cost; no markup applied"})
    return prices


# --- Flags ----------------------------------------------------------------------------------------------------------
def flags_for(prices: Prices, *, current_price: Decimal, rule) -> list[dict]:
    """What staff should look at before approving, each with its reason in plain words."""
    flags = list(prices.flags)
    change = change_percent(current_price, prices.price)
    tolerance = rule.max_change_percent
    if tolerance is not None:
        if change is None and prices.price:
            flags.append(
                {"code": FLAG_TOLERANCE, "reason": "the current price is 0; any new price is past the tolerance"}
            )
        elif change is not None and abs(change) > Decimal(tolerance):
            flags.append(
                {"code": FLAG_TOLERANCE, "reason": f"change {change:+}% is past the {number(tolerance)}% tolerance"}
            )
    margin = margin_percent(prices.price, prices.cost)
    if rule.min_margin_percent is not None and margin is not None and margin < Decimal(rule.min_margin_percent):
        flags.append(
            {
                "code": FLAG_MIN_MARGIN,
                "reason": f"margin {margin}% is below the minimum {number(rule.min_margin_percent)}%",
            }
        )
    if prices.member_price is not None and prices.price and prices.member_price >= prices.price:
        flags.append(
            {
                "code": FLAG_MEMBER,
                "reason": f"member price {money(prices.member_price)} is not below the price {money(prices.price)}",
            }
        )
    if any(p is not None and p < 0 for p in (prices.price, prices.member_price, prices.add_on_price)):
        flags.append({"code": FLAG_NEGATIVE, "reason": "a new price is negative"})
    if not prices.cost:
        flags.append({"code": FLAG_COST_MISSING, "reason": "the cost is 0: the price cannot be computed from it"})
    return flags
