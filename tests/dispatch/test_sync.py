import pytest

from dispatch.models import BusinessUnit, Employee, Team, Technician, Zone
from tests.sync_support import check_sync, money, text

pytestmark = pytest.mark.django_db


def test_sync_mirrors_dispatch(simulator):
    check_sync(
        simulator,
        {
            "dispatch.business-units": (
                BusinessUnit,
                lambda r: {"name": r["name"], "official_name": text(r["officialName"])},
            ),
            "dispatch.zones": (Zone, lambda r: {"name": text(r["name"]), "zips": r["zips"] or []}),
            "dispatch.teams": (Team, lambda r: {"name": text(r["name"])}),
            "dispatch.employees": (Employee, lambda r: {"name": r["name"], "role": r["role"]}),
            "dispatch.technicians": (
                Technician,
                lambda r: {
                    "name": r["name"],
                    "email": text(r["email"]),
                    "team": text(r["team"]),
                    "business_unit_st_id": r["businessUnitId"],
                    "zone_st_ids": r["zoneIds"] or [],
                    "daily_goal": money(r["dailyGoal"]),
                },
            ),
        },
    )
