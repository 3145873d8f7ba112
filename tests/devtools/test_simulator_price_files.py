"""The simulator's demo distributor: vendor parts seeded on materials, its price file, and vendors kept by a PATCH."""

from __future__ import annotations

import csv
import io

from django.core.management import call_command

from devtools.simulator import SimulatorServer
from devtools.simulator.dataset import Dataset
from devtools.simulator.generators import DISTRIBUTOR
from devtools.simulator.price_files import HEADERS, distributor_price_file
from tests.devtools.simulator_support import Api

KEY = "pricebook.materials"


def distributor_parts(dataset) -> dict[str, dict]:
    return {
        vendor["vendorPart"]: record
        for record in dataset.records(KEY)
        for vendor in record.get("otherVendors") or []
        if vendor["vendorName"] == DISTRIBUTOR
    }


def test_every_few_materials_list_the_distributor_and_its_file_prices_them():
    dataset = Dataset(scale=0.01, seed=1)
    parts = distributor_parts(dataset)
    assert parts and len(parts) < len(dataset.records(KEY))
    rows = list(csv.reader(io.StringIO(distributor_price_file(dataset).decode())))
    assert tuple(rows[0]) == HEADERS
    by_part = {row[3]: row for row in rows[1:] if row[3]}
    live = {part for part, record in parts.items() if not dataset.is_deleted(KEY, record["id"])}
    assert live <= set(by_part)
    changed = [p for p in live if float(by_part[p][2]) != float(parts[p]["cost"])]
    assert 0 < len(changed) < len(live)  # some new costs, some kept
    assert sum(1 for part in by_part if part not in parts) == 5  # 3 unknown parts + 2 rows with a bad cost
    assert {by_part[p][2] for p in by_part if p not in parts} >= {"call", "-4.00"}
    assert any(row[4] and not row[3] for row in rows[1:])  # a row naming its item by code only


def test_the_command_writes_the_file(tmp_path, capsys):
    path = tmp_path / "prices.csv"
    call_command("st_simulator", "--scale", "0.01", "--write-price-file", str(path))
    assert path.read_bytes() == distributor_price_file(Dataset(scale=0.01, seed=1))
    assert DISTRIBUTOR in capsys.readouterr().out


def test_a_patch_naming_vendors_by_id_keeps_their_names():
    with SimulatorServer(scale=0.01, seed=1) as server:
        record = next(iter(distributor_parts(server.dataset).values()))
        vendor = next(v for v in record["otherVendors"] if v["vendorName"] == DISTRIBUTOR)
        body = {"otherVendors": [{"vendorId": vendor["vendorId"], "vendorPart": vendor["vendorPart"], "cost": 9.75,
                                  "active": True}]}  # fmt: skip
        answer = Api(server).write(KEY, "update", record["id"], json=body)
        assert answer.status_code == 200, answer.text
        (after,) = answer.json()["otherVendors"]
        assert (after["vendorName"], after["id"], after["cost"]) == (DISTRIBUTOR, vendor["id"], 9.75)
