"""Deterministic, realistic records for every simulated resource.

Each generator gets the dataset (for the ids of other resources, which are a pure function of their index so no
resource has to be generated to be referenced), its own `random.Random`, the record's index and its timestamps, and
returns the fields that matter; `Shape.new` adds every other field the spec declares. Cheap on purpose: a few random
draws per record, so hundreds of thousands of records take seconds.
"""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING

from servicetitan.simulator.shapes import shape_of

if TYPE_CHECKING:
    from servicetitan.simulator.dataset import Dataset

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "pricebook.categories": (150, 6),
    "pricebook.materials": (5000, 1),
    "pricebook.services": (1500, 1),
    "pricebook.equipment": (500, 1),
    "crm.customers": (20000, 1),
    "crm.locations": (24000, 1),
    "crm.contacts": (25000, 1),
    "jobs.jobs": (30000, 1),
    "jobs.appointments": (33000, 1),
    "jobs.projects": (1500, 1),
    "dispatch.technicians": (60, 3),
    "dispatch.employees": (120, 3),
    "dispatch.business-units": (12, 2),
    "dispatch.teams": (8, 2),
    "dispatch.zones": (15, 2),
    "accounting.invoices": (28000, 1),
    "accounting.payments": (25000, 1),
    "inventory.adjustments": (2000, 1),
    "inventory.purchase-orders": (3000, 1),
    "inventory.vendors": (150, 2),
    "inventory.warehouses": (10, 1),
    # Added later: new keys go last so the id ranges above stay as they were.
    "jobs.job-types": (40, 3),
    "jobs.job-cancel-reasons": (8, 2),
    "jobs.job-hold-reasons": (6, 2),
    "jobs.project-statuses": (5, 2),
    "jobs.project-substatuses": (12, 2),
    "jobs.project-types": (6, 2),
    "jobs.job-notes": (45000, 1),
    "accounting.payment-types": (8, 2),
    "accounting.payment-terms": (5, 2),
    "accounting.tax-zones": (6, 2),
    "sales.estimates": (12000, 1),
    "memberships.membership-types": (8, 2),
    "memberships.memberships": (4000, 1),
    "memberships.recurring-service-types": (10, 2),
    "memberships.recurring-services": (4500, 1),
    "memberships.recurring-service-events": (9000, 1),
    "memberships.service-agreements": (300, 1),
    "dispatch.tag-types": (25, 2),
    "dispatch.user-roles": (10, 2),
    "sales.discounts-and-fees": (40, 2),
    "sales.rate-sheets": (15, 1),
    # A markup table is a few tiers whatever the tenant's size (see FIXED_COUNTS).
    "pricebook.markup-tiers": (4, 4),
    "crm.customer-contacts": (30000, 1),
}
FIXED_COUNTS = {"pricebook.markup-tiers": 4}
# ServiceTitan's material markup table as shops commonly set it (PRICING.md): cost from, to, markup %.
DEFAULT_MARKUP_TIERS = ((0, 10, 100), (10, 100, 60), (100, 1000, 40), (1000, 2147483647, 25))
# Ten-digit-ish ids, a distinct range per resource.
ID_BASES: dict[str, int] = {key: 1_000_000_000 + n * 100_000_000 for n, key in enumerate(COUNTS)}

INACTIVE_SHARE = 0.1
# The demo's distributor: one material in DISTRIBUTOR_EVERY lists it among its `otherVendors`, with its own part number.
DISTRIBUTOR = "Ferguson Supply"
DISTRIBUTOR_EVERY = 4
DISTRIBUTOR_VENDOR_ROW = 7_700_000


def distributor_part(index: int) -> str:
    """The distributor's part number of the material generated at `index`."""
    return f"FER-{index + 1:05d}"


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
MATERIAL_NOUNS = (
    "Copper Pipe",
    "PVC Elbow",
    "Ball Valve",
    "Air Filter",
    "Capacitor",
    "Contactor",
    "Thermostat Wire",
    "Refrigerant R-410A",
    "Flex Duct",
    "Breaker",
    "GFCI Outlet",
    "Wax Ring",
    "Supply Line",
    "P-Trap",
    "Drain Cleaner",
    "Fan Motor",
    "Igniter",
    "Flame Sensor",
    "Pressure Switch",
    "Condensate Pump",
)
MATERIAL_SIZES = ('1/2"', '3/4"', '1"', "10 ft", "16x25x1", "20x20x1", "45/5 MFD", "30 A", "15 A", "Std")
UNITS = ("Each", "Each", "Each", "Foot", "Box", "Pound", "Gallon")
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
MANUFACTURERS = ("Carrier", "Trane", "Lennox", "Rheem", "Goodman", "A. O. Smith", "Bradford White", "Honeywell")
EQUIPMENT_KINDS = ("Gas Furnace", "Heat Pump", "Air Handler", "Tank Water Heater", "Tankless Water Heater", "AC Unit")
CATEGORY_WORDS = {
    "Materials": ("Plumbing", "HVAC Parts", "Electrical", "Filters", "Fittings", "Valves", "Wire", "Refrigerants"),
    "Services": ("Plumbing Service", "Heating", "Cooling", "Electrical Service", "Drains", "Maintenance", "Indoor Air"),
}
JOB_STATUSES = ("Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Completed", "Completed", "Canceled")
APPOINTMENT_STATUSES = ("Scheduled", "Dispatched", "Working", "Hold", "Done", "Done", "Done", "Canceled")
PRIORITIES = ("Low", "Normal", "Normal", "High", "Urgent")
TAG_NAMES = ("VIP", "Member", "Warranty", "Do Not Service", "Commercial", "Second Opinion", "Hot Lead", "Pets")
USER_ROLES = ("Admin", "Dispatcher", "CSR", "Technician", "Accounting", "Manager")
ESTIMATE_STATUSES = ("Open", "Sold", "Dismissed")
PAYMENT_TYPES = ("Cash", "Check", "Credit Card", "ACH", "Financing", "Gift Card")
JOB_TYPE_KINDS = ("Service Call", "Install", "Maintenance", "Estimate", "Warranty")
CANCEL_REASONS = ("Customer canceled", "Scheduled in error", "Duplicate job", "Price too high", "No access", "Weather")
HOLD_REASONS = ("Waiting on parts", "Waiting on customer", "Permit pending", "Financing pending")
PROJECT_STATUSES = ("Open", "In Progress", "On Hold", "Completed", "Canceled")
PROJECT_STEPS = ("permit", "inspection", "materials", "install", "final walkthrough")
PROJECT_TYPES = ("Remodel", "Replacement", "New Construction", "Retrofit", "Service Agreement Work")
NOTE_TEXTS = (
    "Customer asked for a call 30 minutes before arrival.",
    "Replaced part under warranty.",
    "Quoted replacement; customer will think about it.",
    "Gate code 4821.",
    "Needs a second technician for the lift.",
    "Left invoice with the tenant.",
)


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


class Generators:
    """Generator functions by resource key; `fields(key, rng, index, created, modified)` returns a record's values."""

    def __init__(self, dataset: Dataset):
        self.ds = dataset

    def ref(self, rng: random.Random, key: str) -> int:
        return self.ds.id_at(key, rng.randrange(self.ds.base_count(key)))

    def fields(self, key: str, rng: random.Random, index: int, created: str, modified: str) -> dict:
        method = getattr(self, "gen_" + key.replace(".", "_").replace("-", "_"))
        fields = method(rng, index)
        fields.setdefault("id", self.ds.id_at(key, index))
        shape = shape_of(key)
        if "createdOn" in shape.skeleton:
            fields["createdOn"] = created
        if "modifiedOn" in shape.skeleton:
            fields["modifiedOn"] = modified
        return fields

    # --- pricebook ----------------------------------------------------------------------------------------------
    def gen_pricebook_markup_tiers(self, rng, index):
        """The default table; tiers created through the API get their values from the request."""
        low, high, percent = DEFAULT_MARKUP_TIERS[index] if index < len(DEFAULT_MARKUP_TIERS) else (0, 0, 0)
        return {"from": low, "to": high, "percent": percent}

    def gen_pricebook_categories(self, rng, index):
        """A tree: the first categories are roots (alternating Materials / Services), later ones nest under an
        earlier category at most two levels deep."""
        tree = self.ds.category_tree
        roots = max(4, self.ds.base_count("pricebook.categories") // 10)
        if index < roots or not tree:
            parent, kind, depth = None, ("Materials", "Services")[index % 2], 0
        else:
            candidates = self.ds.category_parents
            parent_index = candidates[rng.randrange(len(candidates))]
            parent, kind, depth = parent_index, tree[parent_index][1], tree[parent_index][2] + 1
        tree[index] = (parent, kind, depth)
        if depth < 2:
            self.ds.category_parents.append(index)
        word = rng.choice(CATEGORY_WORDS[kind])
        name = (
            word if depth == 0 else f"{word} {('Repair', 'Install', 'Parts', 'Residential', 'Commercial')[index % 5]}"
        )
        return {
            "name": f"{name} {index + 1}",
            "active": active_flag(rng) if depth else True,
            "description": f"{name} items",
            "parentId": self.ds.id_at("pricebook.categories", parent) if parent is not None else None,
            "position": index,
            "categoryType": kind,
            "businessUnitIds": [],
            "skuImages": [],
            "skuVideos": [],
            "hideInMobile": False,
        }

    def _assets(self, rng, shape_key, code) -> list[dict]:
        if rng.random() >= 0.3:
            return []
        shape = shape_of(shape_key)
        url = f"Images/Seed/{code}.png"
        return [
            shape.item("assets", alias=f"{code} photo", fileName=f"{code}.png", isDefault=True, type="Image", url=url)
        ]

    def _prices(self, rng, low, high):
        cost = money(low + rng.random() ** 2 * (high - low))
        price = money(cost * (1.35 + rng.random() * 1.4))
        member = money(price * 0.9)
        return {
            "cost": cost,
            "price": price,
            "memberPrice": member,
            "addOnPrice": money(price * 0.95),
            "addOnMemberPrice": money(member * 0.95),
        }

    def _category_ids(self, rng, kind: str) -> list[int]:
        ids = self.ds.category_ids(kind)
        return [ids[rng.randrange(len(ids))]] if ids else []

    def gen_pricebook_materials(self, rng, index):
        code = f"MAT-{index + 1:05d}"
        name = f"{rng.choice(MATERIAL_NOUNS)} {rng.choice(MATERIAL_SIZES)}"
        assets = self._assets(rng, "pricebook.materials", code)
        fields = {
            "code": code,
            "displayName": name,
            "description": f"{name} — stocked part for residential and light commercial work.",
            "active": active_flag(rng),
            **self._prices(rng, 0.5, 400.0),
            "hours": 0,
            "bonus": 0,
            "commissionBonus": 0,
            "paysCommission": rng.random() < 0.3,
            "deductAsJobCost": False,
            "unitOfMeasure": rng.choice(UNITS),
            "isInventory": rng.random() < 0.6,
            "account": "Materials Income",
            "costOfSaleAccount": "Materials Cost",
            "assetAccount": "Inventory Asset",
            "taxable": True,
            "categories": self._category_ids(rng, "Materials"),
            "assets": assets,
            "defaultAssetUrl": assets[0]["url"] if assets else None,
            "isConfigurableMaterial": False,
            "chargeableByDefault": True,
            "createdById": self.ref(rng, "dispatch.employees"),
            "displayInAmount": False,
            "isOtherDirectCost": False,
        }
        if rng.random() < 0.4:
            vendor_id = self.ref(rng, "inventory.vendors")
            fields["primaryVendor"] = shape_of("pricebook.materials").part(
                "primaryVendor",
                id=vendor_id + 7,
                vendorName=f"Vendor {vendor_id % 1000}",
                vendorId=vendor_id,
                vendorPart=f"VP-{rng.randint(10000, 99999)}",
                cost=fields["cost"],
                active=True,
            )
        if index % DISTRIBUTOR_EVERY == 0:
            # The demo distributor carries every few materials under its own part numbers (no random draw: the rest
            # of the dataset stays as it was). Its price file: servicetitan/simulator/price_files.py.
            fields["otherVendors"] = [
                shape_of("pricebook.materials").item(
                    "otherVendors",
                    id=DISTRIBUTOR_VENDOR_ROW + index,
                    vendorName=DISTRIBUTOR,
                    vendorId=self.ds.id_at("inventory.vendors", 0),
                    vendorPart=distributor_part(index),
                    cost=fields["cost"],
                    active=True,
                )
            ]
        return fields

    def gen_pricebook_services(self, rng, index):
        code = f"SVC-{index + 1:05d}"
        name = f"{rng.choice(SERVICE_VERBS)} {rng.choice(SERVICE_OBJECTS)}"
        shape = shape_of("pricebook.services")
        prices = self._prices(rng, 40.0, 2500.0)
        assets = self._assets(rng, "pricebook.services", code)
        categories = []
        for category_id in self._category_ids(rng, "Services"):
            category = self.ds.category(category_id)
            categories.append(
                shape.item("categories", id=category_id, name=category["name"], active=category["active"])
            )
        materials = [
            shape.item("serviceMaterials", skuId=self.ref(rng, "pricebook.materials"), quantity=rng.randint(1, 4))
            for _ in range(rng.randrange(4))
        ]
        equipment = []
        if rng.random() < 0.2:
            equipment.append(shape.item("serviceEquipment", skuId=self.ref(rng, "pricebook.equipment"), quantity=1))
        services = self.ds.base_count("pricebook.services")
        return {
            "code": code,
            "displayName": name,
            "description": f"{name}. Includes labor, haul-away and a 30-point check.",
            "warranty": shape.part("warranty", duration=rng.choice((30, 90, 365)), description="Parts and labor"),
            "categories": categories,
            **prices,
            "taxable": False,
            "account": "Service Income",
            "hours": rng.choice((0.5, 1, 1.5, 2, 3, 4, 8)),
            "isLabor": True,
            "recommendations": [self.ref(rng, "pricebook.services") for _ in range(rng.randrange(3))]
            if services > 1
            else [],
            "upgrades": [self.ref(rng, "pricebook.services")] if services > 1 and rng.random() < 0.2 else [],
            "assets": assets,
            "defaultAssetUrl": assets[0]["url"] if assets else None,
            "serviceMaterials": materials,
            "serviceEquipment": equipment,
            "active": active_flag(rng),
            "paysCommission": True,
            "bonus": 0,
            "commissionBonus": 0,
            "soldByCommission": 0,
            "useStaticPrices": True,
        }

    def gen_pricebook_equipment(self, rng, index):
        code = f"EQP-{index + 1:05d}"
        maker = rng.choice(MANUFACTURERS)
        model = f"{maker[:2].upper()}{rng.randint(100, 999)}-{rng.choice(('A', 'B', 'X'))}"
        name = f"{maker} {rng.choice(EQUIPMENT_KINDS)} {model}"
        shape = shape_of("pricebook.equipment")
        assets = self._assets(rng, "pricebook.equipment", code)
        return {
            "code": code,
            "displayName": name,
            "description": f"{name}, {rng.choice((80, 92, 96))}% AFUE / {rng.choice((14, 16, 18))} SEER class.",
            "active": active_flag(rng),
            **self._prices(rng, 600.0, 9000.0),
            "manufacturer": maker,
            "model": model,
            "manufacturerWarranty": shape.part(
                "manufacturerWarranty", duration=rng.choice((1825, 3650)), description="Manufacturer parts warranty"
            ),
            "serviceProviderWarranty": shape.part("serviceProviderWarranty", duration=365, description="Labor"),
            "categories": self._category_ids(rng, "Materials"),
            "assets": assets,
            "defaultAssetUrl": assets[0]["url"] if assets else None,
            "recommendations": [
                shape.item("recommendations", skuId=self.ref(rng, "pricebook.services"), type="Service")
                for _ in range(rng.randrange(2))
            ],
            "upgrades": [],
            "equipmentMaterials": [
                shape.item("equipmentMaterials", skuId=self.ref(rng, "pricebook.materials"), quantity=1)
                for _ in range(rng.randrange(3))
            ],
            "account": "Equipment Income",
            "paysCommission": True,
            "hours": rng.choice((2, 4, 6, 8)),
            "taxable": True,
            "unitOfMeasure": "Each",
            "isInventory": True,
            "isConfigurableEquipment": False,
            "displayInAmount": False,
        }

    # --- crm ----------------------------------------------------------------------------------------------------
    def gen_crm_customers(self, rng, index):
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

    def gen_crm_locations(self, rng, index):
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

    def gen_crm_contacts(self, rng, index):
        first, last = person(rng)
        return {
            "referenceId": str(self.ds.id_at("crm.customers", index % self.ds.base_count("crm.customers"))),
            "name": f"{first} {last}",
            "title": rng.choice(("Owner", "Tenant", "Property Manager", "Office Manager", None)),
            "isArchived": rng.random() < INACTIVE_SHARE,
            "createdBy": self.ref(rng, "dispatch.employees"),
            "modifiedBy": self.ref(rng, "dispatch.employees"),
        }

    def gen_crm_customer_contacts(self, rng, index):
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

    # --- jobs ---------------------------------------------------------------------------------------------------
    def gen_jobs_jobs(self, rng, index):
        # Location i is the first location of customer i.
        customer_index = rng.randrange(self.ds.base_count("crm.customers"))
        appointments = self.ds.base_count("jobs.appointments")
        appointment_id = self.ds.id_at("jobs.appointments", index % appointments)
        status = rng.choice(JOB_STATUSES)
        projects = self.ds.base_count("jobs.projects")
        return {
            "jobNumber": str(20000 + index),
            "projectId": self.ds.id_at("jobs.projects", index % projects) if rng.random() < 0.05 else None,
            "customerId": self.ds.id_at("crm.customers", customer_index),
            "locationId": self.ds.id_at("crm.locations", customer_index),
            "jobStatus": status,
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "jobTypeId": self.ref(rng, "jobs.job-types"),
            "priority": rng.choice(PRIORITIES),
            "campaignId": 6_000_000 + rng.randrange(30),
            "appointmentCount": 1,
            "firstAppointmentId": appointment_id,
            "lastAppointmentId": appointment_id,
            "noCharge": False,
            "notificationsEnabled": True,
            "createdById": self.ref(rng, "dispatch.employees"),
            "invoiceId": self.ds.id_at("accounting.invoices", index % self.ds.base_count("accounting.invoices")),
            "total": money(rng.random() * 3000),
            "summary": f"{rng.choice(SERVICE_VERBS)} {rng.choice(SERVICE_OBJECTS).lower()}",
            "soldById": self.ref(rng, "dispatch.technicians"),
            # Only in the export schema: cancelled jobs stay listed but are inactive there.
            "active": status != "Canceled",
        }

    def gen_jobs_appointments(self, rng, index):
        jobs = self.ds.base_count("jobs.jobs")
        job_index = index % jobs
        start_day = self.ds.anchor_us - rng.randrange(-30, 365) * 86_400_000_000
        start = start_day - start_day % 3_600_000_000 + rng.choice((8, 10, 12, 14)) * 3_600_000_000
        status = rng.choice(APPOINTMENT_STATUSES)
        fmt = self.ds.format_us
        return {
            "jobId": self.ds.id_at("jobs.jobs", job_index),
            "appointmentNumber": f"{20000 + job_index}-{1 + index // jobs}",
            "start": fmt(start),
            "end": fmt(start + 2 * 3_600_000_000),
            "arrivalWindowStart": fmt(start),
            "arrivalWindowEnd": fmt(start + 4 * 3_600_000_000),
            "status": status,
            "specialInstructions": rng.choice((None, "Call on arrival", "Gate code 1234", "Dog in yard")),
            "customerId": self.ref(rng, "crm.customers"),
            "unused": False,
            "createdById": self.ref(rng, "dispatch.employees"),
            "isConfirmed": rng.random() < 0.7,
            "active": status != "Canceled",
        }

    def gen_jobs_projects(self, rng, index):
        jobs = self.ds.base_count("jobs.jobs")
        return {
            "number": f"P-{1000 + index}",
            "name": f"{rng.choice(LAST)} {rng.choice(('Remodel', 'Replacement', 'New Construction', 'Retrofit'))}",
            "summary": "Multi-visit project",
            "status": rng.choice(("Open", "In Progress", "Completed")),
            "customerId": self.ref(rng, "crm.customers"),
            "locationId": self.ref(rng, "crm.locations"),
            "projectManagerIds": [self.ref(rng, "dispatch.employees")],
            "businessUnitIds": [self.ref(rng, "dispatch.business-units")],
            "jobIds": [self.ds.id_at("jobs.jobs", (index * 7 + k) % jobs) for k in range(rng.randint(1, 3))],
            "active": active_flag(rng),
        }

    # --- jobs: reference data and notes ----------------------------------------------------------------------
    def gen_jobs_job_types(self, rng, index):
        trade = ("HVAC", "Plumbing", "Electrical", "Drains")[index % 4]
        kind = JOB_TYPE_KINDS[index // 4 % len(JOB_TYPE_KINDS)]
        return {
            "name": f"{trade} {kind}" + ("" if index < 4 * len(JOB_TYPE_KINDS) else f" {index}"),
            "businessUnitIds": [self.ref(rng, "dispatch.business-units")],
            "skills": [],
            "tagTypeIds": [],
            "priority": rng.choice(PRIORITIES),
            "duration": rng.choice((60, 90, 120, 240, 480)),
            "soldThreshold": rng.choice((None, 500.0, 1000.0)),
            "class": rng.choice(("Service", "Install", "Maintenance")),
            "summary": f"{trade} {kind.lower()} visit",
            "noCharge": kind == "Warranty",
            "invoiceSignaturesRequired": rng.random() < 0.3,
            "active": index < 3 or active_flag(rng),
            "isSmartDispatched": False,
        }

    def gen_jobs_job_cancel_reasons(self, rng, index):
        base = CANCEL_REASONS[index % len(CANCEL_REASONS)]
        return {
            "name": base if index < len(CANCEL_REASONS) else f"{base} {index}",
            "active": index < 2 or active_flag(rng),
        }

    def gen_jobs_job_hold_reasons(self, rng, index):
        base = HOLD_REASONS[index % len(HOLD_REASONS)]
        return {
            "name": base if index < len(HOLD_REASONS) else f"{base} {index}",
            "active": index < 2 or active_flag(rng),
        }

    def gen_jobs_project_statuses(self, rng, index):
        base = PROJECT_STATUSES[index % len(PROJECT_STATUSES)]
        return {"name": base if index < len(PROJECT_STATUSES) else f"{base} {index}", "order": index}

    def gen_jobs_project_substatuses(self, rng, index):
        statuses = self.ds.base_count("jobs.project-statuses")
        return {
            "name": f"{rng.choice(('Waiting on', 'Ready for', 'Scheduled for'))} {rng.choice(PROJECT_STEPS)}",
            "statusId": self.ds.id_at("jobs.project-statuses", index % statuses),
            "order": index // statuses,
            "active": index < 2 or active_flag(rng),
        }

    def gen_jobs_project_types(self, rng, index):
        base = PROJECT_TYPES[index % len(PROJECT_TYPES)]
        return {
            "name": base if index < len(PROJECT_TYPES) else f"{base} {index}",
            "description": f"{base} projects",
            "createdById": self.ref(rng, "dispatch.employees"),
        }

    def gen_jobs_job_notes(self, rng, index):
        jobs = self.ds.base_count("jobs.jobs")
        return {
            "jobId": self.ds.id_at("jobs.jobs", index % jobs if index < jobs else rng.randrange(jobs)),
            "text": rng.choice(NOTE_TEXTS),
            "isPinned": rng.random() < 0.05,
            "createdById": self.ref(rng, "dispatch.employees"),
            "active": active_flag(rng),
        }

    # --- dispatch (settings) ------------------------------------------------------------------------------------
    def gen_dispatch_technicians(self, rng, index):
        first, last = person(rng)
        return {
            "userId": 7_000_000 + index,
            "name": f"{first} {last}",
            "firstName": first,
            "lastName": last,
            "email": f"{first}.{last}{index}@example.com".lower(),
            "phoneNumber": f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
            "loginName": f"{first[0]}{last}{index}".lower(),
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "mainZoneId": self.ref(rng, "dispatch.zones"),
            "zoneIds": [self.ref(rng, "dispatch.zones")],
            "team": f"Team {index % 5 + 1}",
            "dailyGoal": 1500,
            "isManagedTech": False,
            "active": active_flag(rng),
            "burdenRate": 5,
            "commissionRate": 0.05,
            "hourlyRate": money(22 + rng.random() * 20),
            "soldByRate": 0.03,
            "status": "Idle",
        }

    def gen_dispatch_employees(self, rng, index):
        first, last = person(rng)
        return {
            "userId": 8_000_000 + index,
            "name": f"{first} {last}",
            "firstName": first,
            "lastName": last,
            "email": f"{first}.{last}.{index}@example.com".lower(),
            "role": rng.choice(("Dispatch", "Accounting", "CSR", "GeneralOffice", "FieldManager")),
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "loginName": f"{first}{index}".lower(),
            "active": active_flag(rng),
            "agentId": index,
            "hourlyRate": money(18 + rng.random() * 15),
        }

    def gen_dispatch_business_units(self, rng, index):
        shape = shape_of("dispatch.business-units")
        trade = ("HVAC", "Plumbing", "Electrical", "Drains")[index % 4]
        kind = ("Service", "Install", "Maintenance")[index // 4 % 3]
        return {
            "active": index == 0 or active_flag(rng),
            "name": f"{trade} {kind} {index // 12 + 1}",
            "officialName": f"Lazi Home Services — {trade} {kind}",
            "email": f"{trade.lower()}@example.com",
            "currency": "USD",
            "trade": shape.part("trade", id=300 + index % 4, name=trade),
            "division": shape.part("division", id=400 + index // 4 % 3, name=kind),
            "tenant": shape.part(
                "tenant",
                id=self.ds.tenant_id,
                name="Lazi Demo Tenant",
                modifiedOn=self.ds.format_us(self.ds.anchor_us - YEAR_US),
            ),
        }

    def gen_dispatch_teams(self, rng, index):
        return {
            "active": index == 0 or active_flag(rng),
            "name": f"Team {index + 1}",
            "createdBy": self.ref(rng, "dispatch.employees"),
        }

    def gen_dispatch_zones(self, rng, index):
        city, _state, zip_prefix = CITIES[index % len(CITIES)]
        return {
            "active": index == 0 or active_flag(rng),
            "name": f"{city} {('North', 'South', 'East', 'West')[index % 4]}",
            "zips": [f"{zip_prefix}{k:02d}" for k in range(index % 5, 30, 5)],
            "cities": [city],
            "createdBy": self.ref(rng, "dispatch.employees"),
            "serviceDaysEnabled": False,
            "technicians": [self.ref(rng, "dispatch.technicians")],
            "businessUnits": [self.ref(rng, "dispatch.business-units")],
        }

    def gen_dispatch_tag_types(self, rng, index):
        key = "dispatch.tag-types"
        base = TAG_NAMES[index % len(TAG_NAMES)]
        return {
            "name": base if index < len(TAG_NAMES) else f"{base} {index}",
            "color": f"#{rng.randrange(0xFFFFFF):06x}",
            "code": f"T{index + 1:03d}",
            "importance": rng.choice(self.enum(key, "importance")) if self.enum(key, "importance") else None,
            "isConversionOpportunity": rng.random() < 0.2,
            "allowToUseOnTimesheetActivity": False,
            "isVisibleOnDispatchBoard": rng.random() < 0.5,
            "active": index < 2 or active_flag(rng),
        }

    def gen_dispatch_user_roles(self, rng, index):
        key = "dispatch.user-roles"
        base = USER_ROLES[index % len(USER_ROLES)]
        return {
            "name": base if index < len(USER_ROLES) else f"{base} {index}",
            "employeeType": rng.choice(self.enum(key, "employeeType")),
            "active": index < 2 or active_flag(rng),
        }

    # --- accounting ---------------------------------------------------------------------------------------------
    def gen_accounting_invoices(self, rng, index):
        shape = shape_of("accounting.invoices")
        customer_id = self.ref(rng, "crm.customers")
        stamp = self.ds.format_us(self.ds.anchor_us - 86_400_000_000)
        items = [
            self._invoice_item(rng, shape, self.ds.id_at("accounting.invoices", index) * 10 + order, order, stamp)
            for order in range(rng.randint(1, 4))
        ]
        sub_total = money(sum(float(item["total"]) for item in items))
        tax = money(sub_total * 0.0825)
        total = money(sub_total + tax)
        paid = rng.random() < 0.8
        invoice_day = self.ds.anchor_us - rng.randrange(1, 400) * 86_400_000_000
        return {
            "syncStatus": "Pending",
            "referenceNumber": str(100000 + index),
            "invoiceDate": self.ds.format_us(invoice_day),
            "subTotal": f"{sub_total:.2f}",
            "salesTax": f"{tax:.2f}",
            "total": f"{total:.2f}",
            "balance": "0.00" if paid else f"{total:.2f}",
            "customer": shape.part("customer", id=customer_id, name=f"Customer {customer_id % 100000}"),
            "businessUnit": shape.part("businessUnit", id=self.ref(rng, "dispatch.business-units"), name="HVAC"),
            "job": shape.part(
                "job",
                id=self.ds.id_at("jobs.jobs", index % self.ds.base_count("jobs.jobs")),
                number=str(20000 + index % self.ds.base_count("jobs.jobs")),
                type="Service",
            ),
            "sentStatus": rng.choice(("NotSent", "Sent", "Opened")),
            "reviewStatus": rng.choice(("NeedsReview", "Reviewed", "Invoiced")),
            "invoiceConfiguration": "JobInvoice",
            "summary": "Thank you for your business.",
            "items": items,
            "active": active_flag(rng),
        }

    # Invoice lines sell pricebook items: a material (often several), a service or a piece of equipment.
    INVOICE_SKUS = (
        ("Material", "pricebook.materials", "MAT"),
        ("Material", "pricebook.materials", "MAT"),
        ("Service", "pricebook.services", "SVC"),
        ("Service", "pricebook.services", "SVC"),
        ("Equipment", "pricebook.equipment", "EQP"),
    )

    def _invoice_item(self, rng, shape, item_id: int, order: int, stamp: str) -> dict:
        kind, key, prefix = rng.choice(self.INVOICE_SKUS)
        sku_index = rng.randrange(self.ds.base_count(key))
        sku = self.ds.collection(key).records.get(self.ds.id_at(key, sku_index)) or {}
        list_price = sku.get("price") or 100.0
        # Realised prices scatter around the list price (discounts, member prices, the odd markup).
        price = money(list_price * rng.choice((1.0, 1.0, 1.0, 0.9, 0.95, 1.05)))
        quantity = rng.randint(1, 6) if kind == "Material" else 1
        cost = money(sku.get("cost") or 0)
        return shape.item(
            "items",
            id=item_id,
            description=sku.get("displayName") or sku.get("description") or "Service performed",
            quantity=f"{quantity}",
            cost=f"{cost:.2f}",
            totalCost=f"{cost * quantity:.2f}",
            price=f"{price:.2f}",
            total=f"{price * quantity:.2f}",
            type=kind,
            skuName=sku.get("code") or f"{prefix}-{sku_index + 1:05d}",
            skuId=self.ds.id_at(key, sku_index),
            displayName=sku.get("displayName"),
            taxable=kind != "Service",
            isChargeable=True,
            createdOn=stamp,
            modifiedOn=stamp,
            order=order,
        )

    def gen_accounting_payment_types(self, rng, index):
        base = PAYMENT_TYPES[index % len(PAYMENT_TYPES)]
        return {"name": base if index < len(PAYMENT_TYPES) else f"{base} {index}"}

    def gen_accounting_payment_terms(self, rng, index):
        shape = shape_of("accounting.payment-terms")
        days = (0, 15, 30, 45, 60, 90)[index % 6]
        return {
            "name": "Due on receipt" if days == 0 else f"Net {days}",
            "dueDayType": "NumberOfDays",
            "dueDay": days,
            "isCustomerDefault": index == 0,
            "isVendorDefault": index == 1,
            "active": index < 2 or active_flag(rng),
            "inUse": rng.random() < 0.7,
            "paymentTermDiscountModel": shape.part("paymentTermDiscountModel"),
            "interestSettings": shape.part("interestSettings"),
        }

    def gen_accounting_tax_zones(self, rng, index):
        city, state, _zip = CITIES[index % len(CITIES)]
        shape = shape_of("accounting.tax-zones")
        rate = round(0.05 + rng.random() * 0.04, 4)
        return {
            "name": f"{city}, {state}",
            "color": rng.randrange(0xFFFFFF),
            "isTaxRateSeparated": False,
            "isMultipleTaxZone": False,
            "rates": [shape.item("rates", id=index + 1, taxName=f"{state} sales tax", taxRate=rate)],
            "active": index < 2 or active_flag(rng),
        }

    def gen_accounting_payments(self, rng, index):
        shape = shape_of("accounting.payments")
        amount = money(20 + rng.random() * 2500)
        customer_id = self.ref(rng, "crm.customers")
        invoice_id = self.ds.id_at("accounting.invoices", index % self.ds.base_count("accounting.invoices"))
        return {
            "active": active_flag(rng),
            "appliedTo": [
                shape.item(
                    "appliedTo",
                    appliedAmount=f"{amount:.2f}",
                    appliedId=invoice_id + 3,
                    appliedTo=invoice_id,
                    appliedToReferenceNumber=str(100000 + index),
                )
            ],
            "customer": shape.part("customer", id=customer_id, name=f"Customer {customer_id % 100000}"),
            "referenceNumber": f"PMT-{index + 1:06d}",
            "total": f"{amount:.2f}",
            "type": rng.choice(("Credit Card", "Check", "Cash", "ACH")),
            "unappliedAmount": "0.00",
            "memo": None,
            "syncStatus": "Pending",
        }

    # --- sales ---------------------------------------------------------------------------------------------------
    def gen_sales_estimates(self, rng, index):
        shape = shape_of("sales.estimates")
        jobs = self.ds.base_count("jobs.jobs")
        job_index = rng.randrange(jobs)
        status = rng.choice(ESTIMATE_STATUSES)
        created = self.ds.anchor_us - rng.randrange(1, 400) * 86_400_000_000
        fmt = self.ds.format_us
        items = []
        for k in range(rng.randint(1, 4)):
            kind, key, _prefix = rng.choice(self.INVOICE_SKUS)
            sku_index = rng.randrange(self.ds.base_count(key))
            sku_id = self.ds.id_at(key, sku_index)
            sku = self.ds.collection(key).records.get(sku_id) or {}
            quantity = rng.randint(1, 4) if kind == "Material" else 1
            rate = money((sku.get("price") or 100.0) * rng.choice((1.0, 1.0, 0.95)))
            cost = money(sku.get("cost") or 0)
            items.append(
                shape.item(
                    "items",
                    id=self.ds.id_at("sales.estimates", index) * 10 + k,
                    sku=shape.part(
                        "items[].sku",
                        id=sku_id,
                        name=sku.get("code") or "",
                        displayName=sku.get("displayName") or "",
                        type=kind,
                        soldHours=sku.get("hours") or 0,
                    ),
                    skuAccount=sku.get("account") or "",
                    description=sku.get("displayName") or "",
                    qty=quantity,
                    unitRate=rate,
                    total=money(rate * quantity),
                    unitCost=cost,
                    totalCost=money(cost * quantity),
                    itemGroupName="",
                    createdOn=fmt(created),
                    modifiedOn=fmt(created),
                    chargeable=True,
                )
            )
        subtotal = money(sum(item["total"] for item in items))
        return {
            "jobId": self.ds.id_at("jobs.jobs", job_index),
            "jobNumber": str(20000 + job_index),
            "customerId": self.ref(rng, "crm.customers"),
            "locationId": self.ref(rng, "crm.locations"),
            "name": f"Option {index % 3 + 1}: {rng.choice(SERVICE_VERBS)} {rng.choice(SERVICE_OBJECTS).lower()}",
            "status": shape.part("status", value=ESTIMATE_STATUSES.index(status), name=status),
            "reviewStatus": "None",
            "summary": "Good, better, best options as discussed.",
            "soldOn": fmt(created + rng.randrange(1, 20) * 86_400_000_000) if status == "Sold" else None,
            "soldBy": self.ref(rng, "dispatch.technicians") if status == "Sold" else None,
            "active": active_flag(rng),
            "items": items,
            "subtotal": subtotal,
            "tax": money(subtotal * 0.0825),
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "isRecommended": rng.random() < 0.3,
            "isChangeOrder": False,
        }

    def gen_sales_discounts_and_fees(self, rng, index):
        key = "sales.discounts-and-fees"
        shape = shape_of(key)
        kinds = self.enum(key, "type")
        kind = kinds[index % len(kinds)] if kinds else None
        amount_types = self.enum(key, "amountType")
        amount_type = rng.choice(amount_types) if amount_types else None
        name = ("Senior discount", "Military discount", "Trip fee", "After-hours fee", "Member discount")[index % 5]
        return {
            "type": kind,
            "code": f"DF-{index + 1:04d}",
            "displayName": name,
            "description": f"{name} ({amount_type})",
            "amountType": amount_type,
            "amount": rng.choice((5, 10, 15, 25, 49, 89)),
            "limit": rng.choice((0, 100, 250)),
            "taxable": rng.random() < 0.2,
            "categories": [],
            "hours": 0,
            "assets": [],
            "account": "Discounts",
            "active": index < 2 or active_flag(rng),
            "bonus": 0,
            "commissionBonus": 0,
            "paysCommission": False,
            "excludeFromPayroll": rng.random() < 0.5,
            "externalData": [shape.item("externalData", key="source", value="seed")] if index % 7 == 0 else [],
        }

    def gen_sales_rate_sheets(self, rng, index):
        key = "sales.rate-sheets"
        shape = shape_of(key)
        value_types = self.enum_at(key, "exceptions[].valueType")
        exceptions = []
        for _ in range(rng.randint(1, 6)):
            kind, sku_key, _prefix = rng.choice(self.INVOICE_SKUS)
            exceptions.append(
                shape.item(
                    "exceptions",
                    skuId=self.ref(rng, sku_key),
                    skuType=kind,
                    value=rng.choice((5, 10, 15, 0.9, 199)),
                    valueType=rng.choice(value_types),
                )
            )
        return {"exceptions": exceptions}

    def enum_at(self, key: str, path: str) -> list:
        shape = shape_of(key)
        return list(shape.schemas.resolve(shape.schema_at(path)).get("enum") or [])

    # --- memberships -------------------------------------------------------------------------------------------
    def enum(self, key: str, field: str) -> list:
        """The values a field's enum allows (from the spec), for generated records that validate."""
        shape = shape_of(key)
        return list(shape.schemas.resolve(shape.properties[field]).get("enum") or [])

    def gen_memberships_membership_types(self, rng, index):
        tier = ("Silver", "Gold", "Platinum", "Comfort Club", "Plumbing Protection")[index % 5]
        return {
            "name": f"{tier} Plan" + ("" if index < 5 else f" {index}"),
            "displayName": f"{tier} Plan",
            "discount": rng.choice((5, 10, 15)),
            "active": index < 2 or active_flag(rng),
        }

    def gen_memberships_memberships(self, rng, index):
        key = "memberships.memberships"
        customers = self.ds.base_count("crm.customers")
        customer_index = rng.randrange(customers)
        start = self.ds.anchor_us - rng.randrange(1, 700) * 86_400_000_000
        status = rng.choice(("Active", "Active", "Active", "Expired", "Canceled", "Suspended"))
        fmt = self.ds.format_us
        return {
            "followUpOn": fmt(start + 330 * 86_400_000_000),
            "from": fmt(start),
            "to": fmt(start + 365 * 86_400_000_000),
            "billingFrequency": rng.choice(self.enum(key, "billingFrequency")),
            "status": status,
            "active": status == "Active",
            "duration": 12,
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "customerId": self.ds.id_at("crm.customers", customer_index),
            "locationId": self.ds.id_at("crm.locations", customer_index),
            "membershipTypeId": self.ref(rng, "memberships.membership-types"),
            "soldById": self.ref(rng, "dispatch.technicians"),
            "paymentTypeId": self.ref(rng, "accounting.payment-types"),
            "memo": rng.choice((None, "Renewed by phone", "Autopay")),
        }

    def gen_memberships_recurring_service_types(self, rng, index):
        key = "memberships.recurring-service-types"
        return {
            "name": f"{('Spring', 'Fall', 'Annual')[index % 3]} {('AC', 'Furnace', 'Water Heater')[index % 3]} Tune-Up",
            "active": index < 2 or active_flag(rng),
            "recurrenceType": rng.choice(self.enum(key, "recurrenceType")),
            "recurrenceInterval": 1,
            "recurrenceMonths": [rng.choice(("March", "April", "September", "October"))],
            "durationType": rng.choice(self.enum(key, "durationType")),
            "durationLength": rng.choice((1, 2, 12)),
            "priority": rng.choice(self.enum(key, "priority")),
            "jobTypeId": self.ref(rng, "jobs.job-types"),
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "jobSummary": "Seasonal maintenance visit",
        }

    def gen_memberships_recurring_services(self, rng, index):
        key = "memberships.recurring-services"
        memberships = self.ds.base_count("memberships.memberships")
        return {
            "name": f"Tune-up {index + 1}",
            "active": active_flag(rng),
            "membershipId": self.ds.id_at("memberships.memberships", index % memberships),
            "locationId": self.ref(rng, "crm.locations"),
            "recurringServiceTypeId": self.ref(rng, "memberships.recurring-service-types"),
            "durationType": rng.choice(self.enum(key, "durationType")),
            "durationLength": 2,
            "recurrenceType": rng.choice(self.enum(key, "recurrenceType")),
            "recurrenceInterval": 1,
            "recurrenceMonths": [rng.choice(("March", "October"))],
            "priority": rng.choice(self.enum(key, "priority")),
            "jobTypeId": self.ref(rng, "jobs.job-types"),
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "firstVisitComplete": rng.random() < 0.5,
            "memo": None,
        }

    def gen_memberships_recurring_service_events(self, rng, index):
        key = "memberships.recurring-service-events"
        services = self.ds.base_count("memberships.recurring-services")
        service_index = index % services
        done = rng.random() < 0.6
        return {
            "locationRecurringServiceId": self.ds.id_at("memberships.recurring-services", service_index),
            "locationRecurringServiceName": f"Tune-up {service_index + 1}",
            "membershipId": self.ref(rng, "memberships.memberships"),
            "membershipName": "Gold Plan",
            "status": rng.choice(self.enum(key, "status")),
            "date": self.ds.format_us(self.ds.anchor_us + rng.randrange(-365, 365) * 86_400_000_000),
            "jobId": self.ref(rng, "jobs.jobs") if done else None,
            "active": active_flag(rng),
        }

    def gen_memberships_service_agreements(self, rng, index):
        key = "memberships.service-agreements"
        start = self.ds.anchor_us - rng.randrange(1, 700) * 86_400_000_000
        price = money(1200 + rng.random() * 20000)
        return {
            "name": f"{rng.choice(LAST)} {rng.choice(COMPANY)} maintenance agreement",
            "customerId": self.ref(rng, "crm.customers"),
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "status": rng.choice(self.enum(key, "status")),
            "origin": rng.choice(self.enum(key, "origin")),
            "locationIds": [self.ref(rng, "crm.locations")],
            "summary": "Quarterly preventive maintenance",
            "durationMonths": 12,
            "autoRenew": rng.random() < 0.5,
            "startDate": self.ds.format_us(start),
            "endDate": self.ds.format_us(start + 365 * 86_400_000_000),
            "totalAgreementPrice": price,
            "estimatedGrossMarginPercentage": round(20 + rng.random() * 30, 2),
            "paymentTermId": self.ref(rng, "accounting.payment-terms"),
            "active": active_flag(rng),
        }

    # --- inventory ----------------------------------------------------------------------------------------------
    def gen_inventory_adjustments(self, rng, index):
        shape = shape_of("inventory.adjustments")
        return {
            "active": active_flag(rng),
            "number": f"ADJ-{index + 1:05d}",
            "referenceNumber": f"R{index + 1:06d}",
            "type": rng.choice(("Adjustment", "Return", "Shrinkage")),
            "inventoryLocationId": self.ref(rng, "inventory.warehouses"),
            "memo": "Cycle count",
            "date": self.ds.format_us(self.ds.anchor_us - rng.randrange(365) * 86_400_000_000),
            "syncStatus": "Pending",
            "items": [
                shape.item(
                    "items",
                    id=self.ds.id_at("inventory.adjustments", index) * 10 + k,
                    skuId=self.ref(rng, "pricebook.materials"),
                    quantity=rng.randint(-5, 20),
                    cost=5,
                )
                for k in range(rng.randint(1, 3))
            ],
        }

    def gen_inventory_purchase_orders(self, rng, index):
        shape = shape_of("inventory.purchase-orders")
        total = money(100 + rng.random() * 5000)
        return {
            "number": f"PO-{index + 1:06d}",
            "status": rng.choice(("Pending", "Sent", "Received", "Received")),
            "typeId": 9_000_000 + rng.randrange(3),
            "vendorId": self.ref(rng, "inventory.vendors"),
            "shipTo": address(rng, shape.part("shipTo")),
            "vendorDocumentNumber": f"V{rng.randint(10000, 99999)}",
            "date": self.ds.format_us(self.ds.anchor_us - rng.randrange(365) * 86_400_000_000),
            "total": total,
            "tax": money(total * 0.07),
            "shipping": 0,
            "summary": "Stock replenishment",
            "inventoryLocationId": self.ref(rng, "inventory.warehouses"),
            "items": [
                shape.item(
                    "items",
                    id=self.ds.id_at("inventory.purchase-orders", index) * 10 + k,
                    skuId=self.ref(rng, "pricebook.materials"),
                    quantity=rng.randint(1, 50),
                    cost=4.5,
                )
                for k in range(rng.randint(1, 4))
            ],
        }

    def gen_inventory_vendors(self, rng, index):
        shape = shape_of("inventory.vendors")
        name = f"{rng.choice(LAST)} {rng.choice(('Supply', 'Distributors', 'HVAC Supply', 'Plumbing Wholesale'))}"
        return {
            "name": name,
            "active": active_flag(rng),
            "isTruckReplenishment": False,
            "isMobileCreationRestricted": False,
            "memo": "",
            "deliveryOption": "Delivery",
            "defaultTaxRate": 0.0825,
            "contactInfo": shape.part("contactInfo", firstName=rng.choice(FIRST), lastName=rng.choice(LAST)),
            "address": address(rng, shape.part("address")),
        }

    def gen_inventory_warehouses(self, rng, index):
        shape = shape_of("inventory.warehouses")
        return {
            "name": ("Main Warehouse", "North Depot", "South Depot")[index % 3] + ("" if index < 3 else f" {index}"),
            "active": index == 0 or active_flag(rng),
            "address": address(rng, shape.part("address")),
        }


def contact_id(seed: int, index: int) -> str:
    """Contacts are addressed by GUID in ServiceTitan."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lazi-simulator:{seed}:contact:{index}"))
