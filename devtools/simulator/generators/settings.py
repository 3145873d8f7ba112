"""Simulated records of ServiceTitan's settings module (LAZI's dispatch app): technicians, employees, business units,
tag types, user roles.
"""

from __future__ import annotations

from devtools.simulator.generators.common import YEAR_US, ModuleGenerators, active_flag, money, person
from devtools.simulator.shapes import shape_of

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "dispatch.technicians": (60, 3),
    "dispatch.employees": (120, 3),
    "dispatch.business-units": (12, 2),
    "dispatch.tag-types": (25, 2),
    "dispatch.user-roles": (10, 2),
}

TAG_NAMES = ("VIP", "Member", "Warranty", "Do Not Service", "Commercial", "Second Opinion", "Hot Lead", "Pets")

USER_ROLES = ("Admin", "Dispatcher", "CSR", "Technician", "Accounting", "Manager")


class SettingsGenerators(ModuleGenerators):
    def gen_technicians(self, rng, index):
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

    def gen_employees(self, rng, index):
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

    def gen_business_units(self, rng, index):
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

    def gen_tag_types(self, rng, index):
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

    def gen_user_roles(self, rng, index):
        key = "dispatch.user-roles"
        base = USER_ROLES[index % len(USER_ROLES)]
        return {
            "name": base if index < len(USER_ROLES) else f"{base} {index}",
            "employeeType": rng.choice(self.enum(key, "employeeType")),
            "active": index < 2 or active_flag(rng),
        }
