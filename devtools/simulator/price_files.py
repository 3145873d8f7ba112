"""A sample distributor price file for the demo and tests: the simulator's "Ferguson Supply"
(see generators/pricebook.py) sends its monthly prices as a CSV with its own headings, in its own column order.

Most rows carry a new cost for a part the simulator's materials list under that vendor; some keep the cost; a few are
parts no material has (unmatched), a few name an item by its code only, and a few have a cost that is not a number.
`st_simulator --write-price-file PATH` writes it for the demo.
"""

from __future__ import annotations

import csv
import io
import random

from devtools.simulator.generators import DISTRIBUTOR, distributor_part

HEADERS = ("Description", "Unit", "Net Price", "Mfr Part #", "Item Code")


def distributor_rows(dataset, *, seed: int = 3) -> list[tuple]:
    """(description, unit, net price, part, code) rows for the distributor's parts in `dataset`."""
    rng = random.Random(seed)
    rows = []
    key = "pricebook.materials"
    for record in dataset.records(key):
        if dataset.is_deleted(key, record["id"]):
            continue
        vendor = next((v for v in record.get("otherVendors") or [] if v.get("vendorName") == DISTRIBUTOR), None)
        if vendor is None:
            continue
        cost = float(vendor.get("cost") or record.get("cost") or 0)
        roll = rng.random()
        if roll < 0.7:
            cost = round(cost * (1 + rng.uniform(0.02, 0.12)), 2)  # this month's increase
        name = record.get("displayName") or record.get("code")
        rows.append((name, record.get("unitOfMeasure") or "Each", f"{cost:.2f}", vendor["vendorPart"], ""))
    # Parts no material has, a row naming the item by its code only, and costs that are not numbers.
    for n in range(1, 4):
        rows.append((f"Discontinued part {n}", "Each", f"{9.5 * n:.2f}", distributor_part(90_000 + n), ""))
    first = next(
        (
            r
            for r in dataset.records(key)
            if not dataset.is_deleted(key, r["id"])
            and not any(v.get("vendorName") == DISTRIBUTOR for v in r.get("otherVendors") or [])
        ),
        None,
    )
    if first is not None:
        rows.append(
            (first.get("displayName") or "", "Each", f"{float(first.get('cost') or 0) + 1:.2f}", "", first["code"])
        )
    rows.append(("Price on request", "Each", "call", distributor_part(90_010), ""))
    rows.append(("Credit line", "Each", "-4.00", distributor_part(90_011), ""))
    return rows


def distributor_price_file(dataset, *, seed: int = 3) -> bytes:
    """The file as a distributor sends it (CSV, UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(distributor_rows(dataset, seed=seed))
    return buffer.getvalue().encode()
