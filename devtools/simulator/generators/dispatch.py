"""Simulated records of ServiceTitan's dispatch module: teams, zones, appointment assignments, technician shifts and
non-job appointments."""

from __future__ import annotations

from devtools.simulator.generators.common import CITIES, ModuleGenerators, active_flag

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "dispatch.teams": (8, 2),
    "dispatch.zones": (15, 2),
    "dispatch.appointment-assignments": (36000, 1),
    "dispatch.technician-shifts": (3000, 2),
    "dispatch.non-job-appointments": (1500, 2),
}

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US

NON_JOB_KINDS = ("Team meeting", "Training", "Vehicle maintenance", "Doctor appointment", "Warehouse pickup")


class DispatchGenerators(ModuleGenerators):
    def gen_teams(self, rng, index):
        return {
            "active": index == 0 or active_flag(rng),
            "name": f"Team {index + 1}",
            "createdBy": self.ref(rng, "dispatch.employees"),
        }

    def gen_zones(self, rng, index):
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

    def _technician(self, rng) -> dict:
        """A technician record (a few dozen, generated once): assignments carry its name as ServiceTitan does."""
        technicians = self.ds.collection("dispatch.technicians").records
        return technicians[self.ref(rng, "dispatch.technicians")]

    def gen_appointment_assignments(self, rng, index):
        # Assignment i is on appointment i (every appointment has a technician); the rest add a second one. An
        # appointment's job is the one the appointments' generator gives it (appointment a belongs to job a % jobs).
        appointments = self.ds.base_count("jobs.appointments")
        appointment_index = index % appointments
        job_index = appointment_index % self.ds.base_count("jobs.jobs")
        technician = self._technician(rng)
        assigned = self.ds.anchor_us - rng.randrange(-30, 365) * DAY_US
        return {
            "technicianId": technician["id"],
            "technicianName": technician["name"],
            "assignedById": self.ref(rng, "dispatch.employees"),
            "assignedOn": self.ds.format_us(assigned - assigned % HOUR_US),
            "status": rng.choice(self.enum("dispatch.appointment-assignments", "status")),
            "isPaused": rng.random() < 0.03,
            "jobId": self.ds.id_at("jobs.jobs", job_index),
            "appointmentId": self.ds.id_at("jobs.appointments", appointment_index),
            "active": active_flag(rng),
        }

    def gen_technician_shifts(self, rng, index):
        shift_type = rng.choice(("Normal", "Normal", "Normal", "OnCall", "TimeOff"))
        day = self.ds.anchor_us - rng.randrange(-60, 300) * DAY_US
        start = day - day % DAY_US + rng.choice((7, 8, 9)) * HOUR_US
        return {
            "shiftType": shift_type,
            "title": {"Normal": "Regular shift", "OnCall": "On call", "TimeOff": "Vacation"}[shift_type],
            "note": rng.choice((None, "Covering for a colleague", "Half day")),
            "active": active_flag(rng),
            "technicianId": self.ref(rng, "dispatch.technicians"),
            "start": self.ds.format_us(start),
            "end": self.ds.format_us(start + rng.choice((4, 8, 10)) * HOUR_US),
            "timesheetCodeId": 6_000_000 + rng.randrange(5) if shift_type == "TimeOff" else None,
        }

    def gen_non_job_appointments(self, rng, index):
        day = self.ds.anchor_us - rng.randrange(-30, 300) * DAY_US
        all_day = rng.random() < 0.2
        hours = 8 if all_day else rng.choice((1, 2, 3))
        name = rng.choice(NON_JOB_KINDS)
        return {
            "technicianId": self.ref(rng, "dispatch.technicians"),
            "start": self.ds.format_us(day - day % DAY_US + (0 if all_day else rng.choice((8, 13, 15)) * HOUR_US)),
            "name": name,
            "duration": f"{hours:02d}:00:00",
            "timesheetCodeId": 6_000_000 + rng.randrange(5),
            "summary": f"{name} (scheduled by the office)",
            "clearDispatchBoard": True,
            "clearTechnicianView": False,
            "removeTechnicianFromCapacityPlanning": all_day,
            "allDay": all_day,
            "showOnTechnicianSchedule": True,
            "active": active_flag(rng),
            "createdById": self.ref(rng, "dispatch.employees"),
        }
