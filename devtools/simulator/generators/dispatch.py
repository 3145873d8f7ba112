"""Simulated records of ServiceTitan's dispatch module: teams and zones."""

from __future__ import annotations

from devtools.simulator.generators.common import CITIES, ModuleGenerators, active_flag

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "dispatch.teams": (8, 2),
    "dispatch.zones": (15, 2),
}


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
