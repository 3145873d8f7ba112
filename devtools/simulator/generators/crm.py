"""Simulated records of ServiceTitan's crm module: customers, locations, contacts."""

from __future__ import annotations

import uuid

from devtools.simulator.generators.common import (
    COMPANY,
    INACTIVE_SHARE,
    LAST,
    ModuleGenerators,
    active_flag,
    address,
    money,
    person,
)
from devtools.simulator.shapes import shape_of

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "crm.customers": (20000, 1),
    "crm.locations": (24000, 1),
    "crm.contacts": (25000, 1),
    "crm.customer-contacts": (30000, 1),
}


def contact_id(seed: int, index: int) -> str:
    """Contacts are addressed by GUID in ServiceTitan."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lazi-simulator:{seed}:contact:{index}"))


class CrmGenerators(ModuleGenerators):
    def gen_customers(self, rng, index):
        shape = shape_of("crm.customers")
        first, last = person(rng)
        commercial = rng.random() < 0.15
        name = f"{last} {rng.choice(COMPANY)}" if commercial else f"{first} {last}"
        return {
            "active": active_flag(rng),
            "name": name,
            "type": "Commercial" if commercial else "Residential",
            "address": address(rng, shape.part("address")),
            "balance": money(rng.random() * 500) if rng.random() < 0.2 else 0,
            "taxExempt": False,
            "doNotMail": rng.random() < 0.05,
            "doNotService": False,
            "nationalAccount": False,
            "createdById": self.ref(rng, "dispatch.employees"),
        }

    def gen_locations(self, rng, index):
        shape = shape_of("crm.locations")
        # The first location of every customer shares its index; the rest go to random customers.
        customers = self.ds.base_count("crm.customers")
        customer_index = index if index < customers else rng.randrange(customers)
        last = rng.choice(LAST)
        return {
            "customerId": self.ds.id_at("crm.customers", customer_index),
            "active": active_flag(rng),
            "name": f"{last} Residence" if index < customers else f"{last} {rng.choice(COMPANY)} Site",
            "address": address(rng, shape.part("address")),
            "createdById": self.ref(rng, "dispatch.employees"),
            "zoneId": self.ref(rng, "dispatch.zones"),
            "taxExempt": False,
        }

    def gen_contacts(self, rng, index):
        first, last = person(rng)
        return {
            "referenceId": str(self.ds.id_at("crm.customers", index % self.ds.base_count("crm.customers"))),
            "name": f"{first} {last}",
            "title": rng.choice(("Owner", "Tenant", "Property Manager", "Office Manager", None)),
            "isArchived": rng.random() < INACTIVE_SHARE,
            "createdBy": self.ref(rng, "dispatch.employees"),
            "modifiedBy": self.ref(rng, "dispatch.employees"),
        }

    def gen_customer_contacts(self, rng, index):
        # Contact i belongs to customer i (every customer has one); the rest go to random customers.
        shape = shape_of("crm.customer-contacts")
        customers = self.ds.base_count("crm.customers")
        customer_index = index if index < customers else rng.randrange(customers)
        kind = "Email" if index >= customers and rng.random() < 0.5 else rng.choice(("Phone", "MobilePhone", "Fax"))
        if kind == "Email":
            first, last = person(rng)
            value, phone = f"{first}.{last}{index}@example.com".lower(), ""
        else:
            value = phone = f"555{rng.randrange(10**7):07d}"
        return {
            "customerId": self.ds.id_at("crm.customers", customer_index),
            "type": kind,
            "value": value,
            "memo": rng.choice(("work #", "home", "cell", "Owner", None)),
            "phoneSettings": shape.part("phoneSettings", phoneNumber=phone, doNotText=rng.random() < 0.1),
            "active": active_flag(rng),
        }
