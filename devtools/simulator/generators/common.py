"""What every module's generators share: names and places, money, the base class with references and enums."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from devtools.simulator.shapes import shape_of

if TYPE_CHECKING:
    from devtools.simulator.dataset import Dataset

INACTIVE_SHARE = 0.1

YEAR_US = 365 * 86_400_000_000

FIRST = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Steven",
    "Ashley",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "George",
    "Melissa",
    "Timothy",
    "Deborah",
    "Ryan",
    "Stephanie",
    "Jacob",
    "Rebecca",
]

LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
]

COMPANY = ("Properties", "Holdings", "Dental", "Bakery", "Logistics", "Apartments", "Church", "School", "Hotel", "Cafe")

STREETS = ("Oak", "Maple", "Pine", "Cedar", "Elm", "Main", "Park", "Lake", "Hill", "Washington", "Sunset", "River")

STREET_KINDS = ("St", "Ave", "Blvd", "Dr", "Ln", "Rd", "Ct", "Way")

CITIES = (
    ("Austin", "TX", "787"),
    ("Dallas", "TX", "752"),
    ("Phoenix", "AZ", "850"),
    ("Denver", "CO", "802"),
    ("Atlanta", "GA", "303"),
    ("Tampa", "FL", "336"),
    ("Charlotte", "NC", "282"),
    ("Nashville", "TN", "372"),
    ("Columbus", "OH", "432"),
    ("Sacramento", "CA", "958"),
)

SERVICE_VERBS = ("Replace", "Install", "Repair", "Inspect", "Tune-Up", "Clean", "Diagnose", "Flush", "Upgrade")

SERVICE_OBJECTS = (
    "Water Heater",
    "Furnace",
    "AC Condenser",
    "Heat Pump",
    "Garbage Disposal",
    "Toilet",
    "Kitchen Faucet",
    "Sump Pump",
    "Electrical Panel",
    "Ceiling Fan",
    "Ductwork",
    "Drain Line",
    "Thermostat",
    "Ice Maker Line",
)

PRIORITIES = ("Low", "Normal", "Normal", "High", "Urgent")


def money(value: float) -> float:
    return round(value, 2)


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def address(rng: random.Random, shape_part: dict) -> dict:
    city, state, zip_prefix = rng.choice(CITIES)
    values = {
        "street": f"{rng.randint(100, 9999)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}",
        "city": city,
        "state": state,
        "zip": f"{zip_prefix}{rng.randint(0, 99):02d}",
        "country": "USA",
    }
    if "latitude" in shape_part:
        values["latitude"] = round(30 + rng.random() * 12, 6)
        values["longitude"] = round(-120 + rng.random() * 40, 6)
    if "unit" in shape_part and rng.random() < 0.15:
        values["unit"] = f"Apt {rng.randint(1, 400)}"
    return {**shape_part, **values}


def active_flag(rng: random.Random) -> bool:
    return rng.random() >= INACTIVE_SHARE


class ModuleGenerators:
    """One ServiceTitan module's generators: `gen_<collection>(rng, index)` returns a record's values."""

    def __init__(self, dataset: Dataset):
        self.ds = dataset

    def ref(self, rng: random.Random, key: str) -> int:
        return self.ds.id_at(key, rng.randrange(self.ds.base_count(key)))

    # Invoice lines sell pricebook items: a material (often several), a service or a piece of equipment.
    INVOICE_SKUS = (
        ("Material", "pricebook.materials", "MAT"),
        ("Material", "pricebook.materials", "MAT"),
        ("Service", "pricebook.services", "SVC"),
        ("Service", "pricebook.services", "SVC"),
        ("Equipment", "pricebook.equipment", "EQP"),
    )

    def enum(self, key: str, field: str) -> list:
        """The values a field's enum allows (from the spec), for generated records that validate."""
        shape = shape_of(key)
        return list(shape.schemas.resolve(shape.properties[field]).get("enum") or [])

    def enum_at(self, key: str, path: str) -> list:
        shape = shape_of(key)
        return list(shape.schemas.resolve(shape.schema_at(path)).get("enum") or [])
