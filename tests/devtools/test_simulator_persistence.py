"""The simulator keeps its data across restarts when given a state file (the demo's var/)."""

from __future__ import annotations

import requests

from devtools.simulator import SimulatorServer
from devtools.simulator.persistence import SnapshotKeeper

KEY = "pricebook.materials"


def test_a_change_survives_a_restart(tmp_path):
    path = tmp_path / "simulator-state.pickle"
    first = SimulatorServer(scale=0.01, seed=3)
    keeper = SnapshotKeeper(first, path, interval=60)
    assert keeper.load() is False  # nothing yet: generated
    first.dataset.generate_all()
    record_id = first.dataset.ids(KEY)[0]
    changed = first.dataset.update(KEY, record_id, {"price": 123.45})
    created = first.dataset.insert(KEY, {"code": "NEW-ONE"})
    first.app.images["Images/x.png"] = (b"png", "image/png")
    keeper.stop()  # writes on stop
    first.stop()
    assert path.exists()

    second = SimulatorServer(scale=0.01, seed=3)
    assert SnapshotKeeper(second, path).load() is True
    assert second.dataset.get(KEY, record_id)["price"] == 123.45
    assert second.dataset.get(KEY, record_id)["modifiedOn"] == changed["modifiedOn"]
    assert second.dataset.get(KEY, created["id"])["code"] == "NEW-ONE"
    assert second.app.images["Images/x.png"] == (b"png", "image/png")
    # Exports continue after the restored change log: the next change comes after the restored ones.
    later = second.dataset.update(KEY, record_id, {"price": 1})
    assert later["modifiedOn"] > changed["modifiedOn"]
    with second:
        assert requests.get(f"{second.url}/_simulator/health", timeout=5).status_code == 200

    # Other parameters: the file does not apply, the data is generated afresh.
    other = SimulatorServer(scale=0.01, seed=4)
    assert SnapshotKeeper(other, path).load() is False
    other.stop()


def test_an_unreadable_file_means_fresh_data(tmp_path):
    path = tmp_path / "broken.pickle"
    path.write_bytes(b"not a pickle")
    server = SimulatorServer(scale=0.01, seed=3)
    assert SnapshotKeeper(server, path).load() is False
    server.stop()


def test_the_keeper_writes_only_when_something_changed(tmp_path):
    path = tmp_path / "state.pickle"
    server = SimulatorServer(scale=0.01, seed=3)
    server.dataset.generate_all()
    keeper = SnapshotKeeper(server, path)
    assert keeper.save_if_changed() is True
    assert keeper.save_if_changed() is False
    server.dataset.mutate(KEY, modify=2)
    assert keeper.save_if_changed() is True
    server.stop()
