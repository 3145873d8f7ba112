"""Simulated records of ServiceTitan's crm module: customers, locations, contacts, bookings, leads."""

from __future__ import annotations

import uuid
import zlib

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
    "crm.bookings": (2500, 2),
    "crm.leads": (4000, 2),
}

DAY_US = 86_400_000_000

BOOKING_SOURCES = ("Website", "Google Local Services", "Angi", "Call center", "Facebook")

LEAD_SUMMARIES = ("Wants a quote for a new AC", "Water heater estimate", "Second opinion on furnace", "Panel upgrade")


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
            "tagTypeIds": self.tags("crm.customers", index),
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
            "tagTypeIds": self.tags("crm.locations", index),
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

    def tags(self, key: str, index: int) -> list[int]:
        """Most records carry no tag; some one or two of the tenant's tag types. A hash of the record, not a draw
        from the collection's generator, so the other fields stay what they were before tags were simulated."""
        digest = zlib.crc32(f"{key}:tags:{index}".encode())
        draw, tag_types = digest % 100, self.ds.base_count("dispatch.tag-types")
        count = 0 if draw < 70 else 1 if draw < 92 else 2
        return sorted({self.ds.id_at("dispatch.tag-types", (digest >> (8 + 8 * k)) % tag_types) for k in range(count)})

    def gen_bookings(self, rng, index):
        shape = shape_of("crm.bookings")
        first, last = person(rng)
        status = rng.choice(("New", "New", "Accepted", "Converted", "Converted", "Dismissed"))
        start = self.ds.anchor_us - rng.randrange(-14, 300) * DAY_US
        return {
            "source": rng.choice(BOOKING_SOURCES),
            "name": f"{first} {last}",
            "address": address(rng, shape.part("address")),
            "customerType": "Commercial" if rng.random() < 0.1 else "Residential",
            "start": self.ds.format_us(start - start % 3_600_000_000),
            "campaignId": 5_000_000 + rng.randrange(8),
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "isFirstTimeClient": rng.random() < 0.6,
            "uploadedImages": [],
            "isSendConfirmationEmail": rng.random() < 0.5,
            "status": status,
            "dismissingReasonId": 5_100_000 + rng.randrange(4) if status == "Dismissed" else None,
            "jobId": self.ref(rng, "jobs.jobs") if status == "Converted" else None,
            "externalId": f"EXT-{index + 1:06d}",
            "priority": rng.choice(self.enum("crm.bookings", "priority")),
            "jobTypeId": self.ref(rng, "jobs.job-types"),
            "bookingProviderId": 5_200_000 + rng.randrange(3),
            "summary": rng.choice(("No cooling upstairs", "Leaking water heater", "Annual tune-up", None)),
            "active": active_flag(rng),
        }

    def gen_leads(self, rng, index):
        status = rng.choice(("Open", "Open", "Converted", "Dismissed"))
        known = rng.random() < 0.7
        customers = self.ds.base_count("crm.customers")
        customer_index = rng.randrange(customers)
        first, last = person(rng)
        follow_up = self.ds.anchor_us + rng.randrange(-30, 30) * DAY_US
        return {
            "status": status,
            "priority": rng.choice(self.enum("crm.leads", "priority")),
            # A known customer's lead is at its first location (location i belongs to customer i).
            "customerId": self.ds.id_at("crm.customers", customer_index) if known else None,
            "locationId": self.ds.id_at("crm.locations", customer_index) if known else None,
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "jobTypeId": self.ref(rng, "jobs.job-types"),
            "campaignId": 5_000_000 + rng.randrange(8),
            "followUpDate": self.ds.format_us(follow_up - follow_up % DAY_US) if status == "Open" else None,
            "createdById": self.ref(rng, "dispatch.employees"),
            "tagTypeIds": self.tags("crm.leads", index),
            "dismissingReasonId": 5_100_000 + rng.randrange(4) if status == "Dismissed" else None,
            "summary": rng.choice(LEAD_SUMMARIES),
            "callReasonId": 5_300_000 + rng.randrange(6),
            "bookingId": self.ref(rng, "crm.bookings") if rng.random() < 0.2 else None,
            "leadCustomerName": None if known else f"{first} {last}",
            "leadPhone": None if known else f"555{rng.randrange(10**7):07d}",
            "leadEmail": None if known else f"{first}.{last}{index}@example.com".lower(),
            "captureSource": rng.choice(("Phone", "Web form", None)),
            "active": active_flag(rng),
        }
