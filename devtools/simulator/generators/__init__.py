"""Deterministic, realistic records for every simulated resource, one module per ServiceTitan API module.

Each module declares `COUNTS` (records at scale 1.0 and the minimum at any scale) and a `ModuleGenerators` subclass
with a `gen_<collection>(rng, index)` per resource (`pricebook.materials` → `PricebookGenerators.gen_materials`). A
generator gets the dataset (for the ids of other resources, which are a pure function of their key and index, so no
resource has to be generated to be referenced), its own `random.Random`, the record's index, and returns the fields
that matter; `Shape.new` adds every other field the spec declares. Cheap on purpose: a few random draws per record,
so hundreds of thousands of records take seconds.

A resource's ids depend on its key alone (`id_base`): neither the order in which modules or resources are listed
here nor the order in which they are generated changes an id or a record. Adding a resource: a count in its module's
`COUNTS`, a `gen_<collection>` method, and (for a new module) a line in `MODULES`.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from devtools.simulator.generators import (
    accounting,
    crm,
    dispatch,
    inventory,
    jpm,
    memberships,
    pricebook,
    sales,
    service_agreements,
    settings,
)
from devtools.simulator.generators.crm import contact_id
from devtools.simulator.generators.pricebook import DISTRIBUTOR, FIXED_COUNTS, distributor_part
from devtools.simulator.shapes import shape_of

if TYPE_CHECKING:
    import random

    from devtools.simulator.dataset import Dataset

# module -> its generator class (named after the module: `jpm` -> `JpmGenerators`).
MODULES = (pricebook, crm, jpm, settings, dispatch, accounting, inventory, sales, memberships, service_agreements)

COUNTS: dict[str, tuple[int, int]] = {key: count for module in MODULES for key, count in module.COUNTS.items()}

# Ids: ten to twelve digits, a range of ID_SPAN per resource at a slot computed from its key. Within a range, record
# `index` has id `base + index * step` (the dataset's step is 3..13, also from the key), so a range holds millions.
ID_SPAN = 100_000_000
ID_SLOTS = 9_000
FIRST_SLOT = 10  # ids start at 1,000,000,000 (ten digits, as ServiceTitan's do)
# A new resource whose slot is taken by another one gets a slot by hand here (the import-time check says so).
ID_SLOT_OVERRIDES: dict[str, int] = {}


def id_slot(key: str) -> int:
    """The slot of a resource's id range: a fixed function of its key (blake2b, not Python's salted hash)."""
    if key in ID_SLOT_OVERRIDES:
        return ID_SLOT_OVERRIDES[key]
    digest = hashlib.blake2b(f"lazi-simulator:{key}".encode(), digest_size=8).digest()
    return FIRST_SLOT + int.from_bytes(digest, "big") % ID_SLOTS


def id_base(key: str) -> int:
    return id_slot(key) * ID_SPAN


def _check_slots() -> None:
    taken: dict[int, str] = {}
    for key in sorted(COUNTS):
        other = taken.setdefault(id_slot(key), key)
        if other != key:
            raise RuntimeError(
                f"simulated ids of {key} and {other} would share a range: add {key} to ID_SLOT_OVERRIDES"
            )


_check_slots()


def method_name(key: str) -> str:
    """`jobs.job-notes` -> `gen_job_notes`."""
    return "gen_" + key.split(".", 1)[1].replace("-", "_")


def generator_class(module):
    return getattr(
        module, "".join(part.capitalize() for part in module.__name__.rsplit(".", 1)[1].split("_")) + "Generators"
    )


class Generators:
    """The registry joining every module's generators; `fields(key, rng, index, created, modified)` returns a
    record's values."""

    def __init__(self, dataset: Dataset):
        self.ds = dataset
        self._by_key = {}
        for module in MODULES:
            instance = generator_class(module)(dataset)
            for key in module.COUNTS:
                self._by_key[key] = getattr(instance, method_name(key))

    def fields(self, key: str, rng: random.Random, index: int, created: str, modified: str) -> dict:
        fields = self._by_key[key](rng, index)
        fields.setdefault("id", self.ds.id_at(key, index))
        shape = shape_of(key)
        if "createdOn" in shape.skeleton:
            fields["createdOn"] = created
        if "modifiedOn" in shape.skeleton:
            fields["modifiedOn"] = modified
        return fields


__all__ = [
    "COUNTS",
    "DISTRIBUTOR",
    "FIXED_COUNTS",
    "MODULES",
    "Generators",
    "contact_id",
    "distributor_part",
    "id_base",
]
