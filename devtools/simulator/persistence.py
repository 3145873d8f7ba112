"""The simulator's data kept across restarts (the demo's `var/simulator-state.pickle`), so what a user pushed is
still there tomorrow.

`SnapshotKeeper(server, path)` loads the file at start when it was written for the same scale, seed, tenant and
counts (else the data is generated afresh), writes it again (atomically: a temporary file then a rename) whenever
the data or the uploaded images changed, checked every `interval` seconds, and once more at stop. The file is the
simulator's own, written by this process: pickle is fine for it (never load one from elsewhere).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import tempfile
import threading
from pathlib import Path

logger = logging.getLogger(__name__)
FORMAT = 2  # 2: ids by resource key (devtools.simulator.generators.id_base), no longer by listing order


def _params(dataset) -> dict:
    return {
        "format": FORMAT,
        "scale": dataset.scale,
        "seed": dataset.seed,
        "tenant_id": dataset.tenant_id,
        "counts": dict(sorted(dataset.counts.items())),
    }


def _version(server) -> tuple:
    dataset = server.dataset
    return (
        tuple(sorted((key, c.version, c.last_seq) for key, c in dataset._collections.items())),
        len(server.app.images),
    )


def snapshot(server) -> dict:
    """The data of a simulator as a picklable dict (caches left out)."""
    dataset = server.dataset
    with dataset.lock:
        collections = {
            key: dataclasses.replace(
                collection,
                records=dict(collection.records),
                deleted=set(collection.deleted),
                seq_of=dict(collection.seq_of),
                log_seq=list(collection.log_seq),
                log_id=list(collection.log_id),
                list_cache={},
            )
            for key, collection in dataset._collections.items()
        }
        return {
            "params": _params(dataset),
            "anchor_us": dataset.anchor_us,
            "clock_us": dataset._clock_us,
            "collections": collections,
            "category_tree": dict(dataset.category_tree),
            "category_parents": list(dataset.category_parents),
            "mutation_rng": dataset._mutation_rng.getstate(),
            "images": dict(server.app.images),
        }


def restore(server, state: dict) -> bool:
    """Put a snapshot back; False (nothing changed) when it was taken with other parameters."""
    dataset = server.dataset
    if state.get("params") != _params(dataset):
        return False
    with dataset.lock:
        dataset.anchor_us = state["anchor_us"]
        dataset._clock_us = state["clock_us"]
        dataset._collections = state["collections"]
        dataset.category_tree = state["category_tree"]
        dataset.category_parents = state["category_parents"]
        dataset._mutation_rng.setstate(state["mutation_rng"])
        dataset._children_cache = None
        dataset._category_ids_cache = {}
    server.app.images.update(state["images"])
    return True


def write(server, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pickle.dumps(snapshot(server), protocol=pickle.HIGHEST_PROTOCOL)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(server, path: Path) -> bool:
    """Restore from `path`; False when there is no usable file (missing, unreadable, other parameters)."""
    try:
        state = pickle.loads(path.read_bytes())  # noqa: S301 - our own file, see the module docstring
    except FileNotFoundError:
        return False
    except Exception:
        logger.warning("simulator state %s is unreadable; generating the data afresh", path)
        return False
    return isinstance(state, dict) and restore(server, state)


class SnapshotKeeper:
    def __init__(self, server, path: Path | str, interval: float = 2.0):
        self.server, self.path, self.interval = server, Path(path), interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved = None

    def load(self) -> bool:
        loaded = load(self.server, self.path)
        if loaded:
            self._saved = _version(self.server)
        return loaded

    def save_if_changed(self) -> bool:
        current = _version(self.server)
        if current == self._saved:
            return False
        write(self.server, self.path)
        self._saved = current
        return True

    def start(self) -> SnapshotKeeper:
        self._thread = threading.Thread(target=self._run, name="st-simulator-snapshot", daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.interval):
            try:
                self.save_if_changed()
            except Exception:
                logger.exception("could not write the simulator state to %s", self.path)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.save_if_changed()
