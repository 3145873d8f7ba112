from decimal import Decimal

import pytest

from devtools.simulator import DEMO_TENANT_ID
from sales.models import Estimate, EstimateItem
from tests.servicetitan.sync_support import assert_mirror_equals
from tests.sync_support import check_sync, money, sync, text, when

pytestmark = pytest.mark.django_db


def expected_items(simulator) -> dict:
    """Every line of every estimate the export served (deleted estimates come through it as inactive ones)."""
    out = {}
    for estimate in simulator.dataset.records("sales.estimates"):
        for item in estimate["items"] or ():
            out[item["id"]] = {
                "estimate_st_id": estimate["id"],
                "status": estimate["status"]["name"],
                "estimate_created_on": when(estimate["createdOn"]),
                "sold_on": when(estimate["soldOn"]),
                "sku_st_id": item["sku"]["id"],
                "sku_name": item["sku"]["name"],
                "sku_type": item["sku"]["type"],
                "quantity": money(item["qty"]),
                "unit_rate": money(item["unitRate"]),
                "unit_cost": money(item["unitCost"]),
                "active": estimate["active"],
            }
    return out


def assert_items_mirrored(simulator):
    want = expected_items(simulator)
    columns = next(iter(want.values()))
    rows = {r["st_id"]: r for r in EstimateItem.objects.filter(tenant_id=DEMO_TENANT_ID).values("st_id", *columns)}
    assert set(rows) == set(want)
    for st_id, values in want.items():
        assert {k: v for k, v in rows[st_id].items() if k != "st_id"} == values, st_id


def test_sync_mirrors_estimates_with_their_items(simulator):
    check_sync(
        simulator,
        {
            "sales.estimates": (
                Estimate,
                lambda r: {
                    "name": text(r["name"]),
                    "status": r["status"]["name"],
                    "job_st_id": r["jobId"],
                    "customer_st_id": r["customerId"],
                    "subtotal": money(r["subtotal"]),
                    "sold_on": when(r["soldOn"]),
                    "created_on": when(r["createdOn"]),
                },
            )
        },
    )
    assert_mirror_equals(simulator, ("sales.estimates",))
    assert_items_mirrored(simulator)
    statuses = set(EstimateItem.objects.values_list("status", flat=True))
    assert statuses == {"Open", "Sold", "Dismissed"}


def test_an_estimate_sold_later_carries_its_items_with_it(simulator):
    sync(["sales.estimates"], full=True)
    dataset = simulator.dataset
    estimate = next(r for r in dataset.records("sales.estimates") if r["status"]["name"] == "Open" and r["items"])
    first = estimate["items"][0]
    dataset.update(
        "sales.estimates",
        estimate["id"],
        {
            "status": {"value": 1, "name": "Sold"},
            "soldOn": "2026-11-30T10:00:00Z",
            "items": [{**first, "qty": 5}],
        },
    )
    sync(["sales.estimates"], full=False)
    assert_items_mirrored(simulator)
    (line,) = EstimateItem.objects.filter(estimate_st_id=estimate["id"])
    assert (line.status, line.quantity) == ("Sold", Decimal("5"))
    assert line.sold_on == when("2026-11-30T10:00:00Z")
    assert Estimate.objects.get(st_id=estimate["id"]).status == "Sold"


@pytest.mark.parametrize(
    ("status", "expected"),
    [({"name": "Sold"}, "Sold"), ({"name": True}, ""), ({"name": None}, ""), ("Sold", ""), (None, ""), (7, "")],
)
def test_an_estimate_line_copies_its_status_name_only_when_it_is_text(status, expected):
    from sales.streams import ESTIMATE_ITEMS

    assert ESTIMATE_ITEMS.copied({"status": status, "createdOn": None, "soldOn": None})["status"] == expected
