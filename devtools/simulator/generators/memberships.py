"""Simulated records of ServiceTitan's memberships module: membership types, memberships, recurring services and their
events.
"""

from __future__ import annotations

from devtools.simulator.generators.common import ModuleGenerators, active_flag

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "memberships.membership-types": (8, 2),
    "memberships.memberships": (4000, 1),
    "memberships.recurring-service-types": (10, 2),
    "memberships.recurring-services": (4500, 1),
    "memberships.recurring-service-events": (9000, 1),
}


class MembershipsGenerators(ModuleGenerators):
    def gen_membership_types(self, rng, index):
        tier = ("Silver", "Gold", "Platinum", "Comfort Club", "Plumbing Protection")[index % 5]
        return {
            "name": f"{tier} Plan" + ("" if index < 5 else f" {index}"),
            "displayName": f"{tier} Plan",
            "discount": rng.choice((5, 10, 15)),
            "active": index < 2 or active_flag(rng),
        }

    def gen_memberships(self, rng, index):
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

    def gen_recurring_service_types(self, rng, index):
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

    def gen_recurring_services(self, rng, index):
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

    def gen_recurring_service_events(self, rng, index):
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
