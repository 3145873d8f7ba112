"""Simulated records of ServiceTitan's jpm module (LAZI's jobs app): jobs, appointments, projects, their reference
lists, notes.
"""

from __future__ import annotations

from devtools.simulator.generators.common import (
    LAST,
    PRIORITIES,
    SERVICE_OBJECTS,
    SERVICE_VERBS,
    ModuleGenerators,
    active_flag,
    money,
)

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "jobs.jobs": (30000, 1),
    "jobs.appointments": (33000, 1),
    "jobs.projects": (1500, 1),
    "jobs.job-types": (40, 3),
    "jobs.job-cancel-reasons": (8, 2),
    "jobs.job-hold-reasons": (6, 2),
    "jobs.project-statuses": (5, 2),
    "jobs.project-substatuses": (12, 2),
    "jobs.project-types": (6, 2),
    "jobs.job-notes": (45000, 1),
}

JOB_STATUSES = ("Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Completed", "Completed", "Canceled")

APPOINTMENT_STATUSES = ("Scheduled", "Dispatched", "Working", "Hold", "Done", "Done", "Done", "Canceled")

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


class JpmGenerators(ModuleGenerators):
    def gen_jobs(self, rng, index):
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

    def gen_appointments(self, rng, index):
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

    def gen_projects(self, rng, index):
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

    def gen_job_types(self, rng, index):
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

    def gen_job_cancel_reasons(self, rng, index):
        base = CANCEL_REASONS[index % len(CANCEL_REASONS)]
        return {
            "name": base if index < len(CANCEL_REASONS) else f"{base} {index}",
            "active": index < 2 or active_flag(rng),
        }

    def gen_job_hold_reasons(self, rng, index):
        base = HOLD_REASONS[index % len(HOLD_REASONS)]
        return {
            "name": base if index < len(HOLD_REASONS) else f"{base} {index}",
            "active": index < 2 or active_flag(rng),
        }

    def gen_project_statuses(self, rng, index):
        base = PROJECT_STATUSES[index % len(PROJECT_STATUSES)]
        return {"name": base if index < len(PROJECT_STATUSES) else f"{base} {index}", "order": index}

    def gen_project_substatuses(self, rng, index):
        statuses = self.ds.base_count("jobs.project-statuses")
        return {
            "name": f"{rng.choice(('Waiting on', 'Ready for', 'Scheduled for'))} {rng.choice(PROJECT_STEPS)}",
            "statusId": self.ds.id_at("jobs.project-statuses", index % statuses),
            "order": index // statuses,
            "active": index < 2 or active_flag(rng),
        }

    def gen_project_types(self, rng, index):
        base = PROJECT_TYPES[index % len(PROJECT_TYPES)]
        return {
            "name": base if index < len(PROJECT_TYPES) else f"{base} {index}",
            "description": f"{base} projects",
            "createdById": self.ref(rng, "dispatch.employees"),
        }

    def gen_job_notes(self, rng, index):
        jobs = self.ds.base_count("jobs.jobs")
        return {
            "jobId": self.ds.id_at("jobs.jobs", index % jobs if index < jobs else rng.randrange(jobs)),
            "text": rng.choice(NOTE_TEXTS),
            "isPinned": rng.random() < 0.05,
            "createdById": self.ref(rng, "dispatch.employees"),
            "active": active_flag(rng),
        }
