"""Pricing rules' arithmetic (pricebook/services/rules.py), with hand-computed expectations."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from pricebook.services.pricing import round_price
from pricebook.services.rules import (
    FLAG_COST_MISSING,
    FLAG_MEMBER,
    FLAG_MIN_MARGIN,
    FLAG_NEGATIVE,
    FLAG_NO_TIER,
    FLAG_TOLERANCE,
    Tier,
    find_tier,
    flags_for,
    labour,
    margin_percent,
    markup_percent,
    material_prices,
    service_prices,
)

TIERS = [Tier(D(0), D(10), D(100)), Tier(D(10), D(100), D(50)), Tier(D(100), D(1000), D(40))]


def rule(**kwargs):
    values = {
        "name": "r",
        "markup": "tiers",
        "markup_percent": None,
        "labor_rate": None,
        "progressive_after_hours": None,
        "progressive_rate": None,
        "materials_markup": "individual",
        "member_discount_percent": None,
        "add_on_percent": None,
        "add_on_rate": None,
        "rounding": "cents",
        "min_margin_percent": None,
        "max_change_percent": None,
    }
    values.update(kwargs)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    ("cost", "expected_from"),
    [
        (D(0), D(0)),
        (D("9.99"), D(0)),
        (D(10), D(10)),  # from ≤ cost: 10 is in 10–100, not 0–10
        (D("99.99"), D(10)),
        (D(100), D(100)),
        (D(1000), D(100)),  # at the highest `to`: the highest tier
        (D(50000), D(100)),
    ],
)
def test_tier_boundaries(cost, expected_from):
    assert find_tier(cost, TIERS).from_cost == expected_from


def test_cost_in_a_gap_has_no_tier():
    assert find_tier(D(5), [Tier(D(10), D(20), D(5))]) is None
    prices = material_prices(D(5), rule(), [Tier(D(10), D(20), D(5))])
    assert prices.price == D("5.00")
    assert [f["code"] for f in prices.flags] == [FLAG_NO_TIER]


def test_material_tier_markup_with_99_and_its_explanation():
    prices = material_prices(D("12.40"), rule(rounding="up_99"), TIERS)
    # 12.40 × 1.5 = 18.60 → 18.99
    assert prices.price == D("18.99")
    assert prices.explanation == "cost 12.40 × (1 + 50% tier 10–100) = 18.60 → .99 = 18.99"


def test_fixed_percent_markup_above_100():
    prices = material_prices(D(20), rule(markup="percent", markup_percent=D(150)), TIERS)
    assert prices.price == D("50.00")
    assert prices.explanation == "cost 20.00 × (1 + 150%) = 50.00"


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        (D("12.344"), "cents", D("12.34")),
        (D("12.345"), "cents", D("12.35")),  # half up
        (D("12.49"), "whole", D("12.00")),
        (D("12.50"), "whole", D("13.00")),
        (D("12.34"), "up_99", D("12.99")),
        (D("12.99"), "up_99", D("12.99")),  # already .99: stays
        (D("13.00"), "up_99", D("13.99")),  # a whole number goes up to its .99
        (D("2.06"), "up_99", D("2.99")),
        (D("12.96"), "up_95", D("13.95")),
        (D("12.95"), "up_95", D("12.95")),
        (D("12.01"), "five", D("15.00")),
        (D("15.00"), "five", D("15.00")),
        (D("0.01"), "five", D("5.00")),
    ],
)
def test_every_rounding_rule(value, rounding, expected):
    assert round_price(value, rounding) == expected


def test_member_and_add_on_share_are_rounded_last_each():
    r = rule(markup="percent", markup_percent=D(100), member_discount_percent=D(10), add_on_percent=D(80))
    prices = material_prices(D(10), r, TIERS)
    assert prices.price == D("20.00")
    assert prices.member_price == D("18.00")  # 20 × 0.9
    assert prices.add_on_price == D("16.00")  # 20 × 0.8
    assert "member 20.00 × (1 − 10%) = 18.00" in prices.explanation
    assert "add-on 20.00 × 80% = 16.00" in prices.explanation


def test_member_rounded_up_to_99_can_reach_the_price_and_is_flagged():
    # price 2.06 → 2.99; member 2.99 × 0.99 = 2.9601 → 2.99: equal to the price
    r = rule(markup="percent", markup_percent=D(3), member_discount_percent=D(1), rounding="up_99")
    prices = material_prices(D(2), r, TIERS)
    assert (prices.price, prices.member_price) == (D("2.99"), D("2.99"))
    assert FLAG_MEMBER in {f["code"] for f in flags_for(prices, current_price=D("2.99"), rule=r)}


def test_progressive_labour():
    r = rule(labor_rate=D(150), progressive_after_hours=D(2), progressive_rate=D(130))
    assert labour(D("1.5"), r)[0] == D(225)  # 1.5 × 150, under the threshold
    assert labour(D(2), r)[0] == D(300)
    value, text = labour(D("3.5"), r)
    assert value == D(495)  # 2 × 150 + 1.5 × 130
    assert text == "2 h × 150.00 + 1.5 h × 130.00"


def test_service_individual_versus_aggregate_markup():
    parts = [(D(8), D(2)), (D(50), D(1))]  # 2 × 8.00 (tier 0–10: 100%), 1 × 50.00 (tier 10–100: 50%)
    individual = service_prices(hours=D(1), labour_cost=D(40), parts=parts, rule=rule(labor_rate=D(100)), tiers=TIERS)
    # 100 + 2 × 16 + 75 = 207
    assert individual.price == D("207.00")
    assert individual.cost == D(106)  # 40 + 16 + 50
    aggregate = service_prices(
        hours=D(1),
        labour_cost=D(40),
        parts=parts,
        rule=rule(labor_rate=D(100), materials_markup="aggregate"),
        tiers=TIERS,
    )
    # parts total 66 → tier 10–100 (50%) = 99; 100 + 99 = 199
    assert aggregate.price == D("199.00")
    assert aggregate.explanation == "1 h × 100.00 + parts 66.00 × (1 + 50% tier 10–100) = 199.00"


def test_service_add_on_from_its_own_rate():
    r = rule(labor_rate=D(120), add_on_rate=D(90))
    prices = service_prices(hours=D(2), labour_cost=D(0), parts=[], rule=r, tiers=TIERS)
    assert prices.price == D("240.00")
    assert prices.add_on_price == D("180.00")


def test_margin_and_markup():
    assert margin_percent(D(200), D(100)) == D("50.00")
    assert markup_percent(D(200), D(100)) == D("100.00")
    assert margin_percent(D(0), D(10)) is None
    assert markup_percent(D(10), D(0)) is None


def codes(prices, current, r):
    return {f["code"] for f in flags_for(prices, current_price=current, rule=r)}


def test_flags_with_their_reasons():
    r = rule(markup="percent", markup_percent=D(20), max_change_percent=D(25), min_margin_percent=D(40))
    prices = material_prices(D(10), r, TIERS)  # 12.00, margin 16.67%
    flags = flags_for(prices, current_price=D(8), rule=r)  # +50%
    assert {f["code"] for f in flags} == {FLAG_TOLERANCE, FLAG_MIN_MARGIN}
    reasons = " ".join(f["reason"] for f in flags)
    assert "+50.00% is past the 25% tolerance" in reasons
    assert "margin 16.67% is below the minimum 40%" in reasons
    assert codes(prices, D("11.00"), r) == {FLAG_MIN_MARGIN}  # +9%: within the tolerance


def test_cost_missing_and_negative():
    r = rule(markup="percent", markup_percent=D(-150))
    prices = material_prices(D(10), r, TIERS)
    assert prices.price == D("-5.00")
    assert FLAG_NEGATIVE in codes(prices, D(10), r)
    assert FLAG_COST_MISSING in codes(material_prices(D(0), rule(), TIERS), D(10), rule())
