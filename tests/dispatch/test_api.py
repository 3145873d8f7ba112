import pytest

from tests.api_support import check_read_endpoint, check_read_only, client_for, st_ids
from tests.factories import (
    BusinessUnitFactory,
    EmployeeFactory,
    TeamFactory,
    TechnicianFactory,
    ZoneFactory,
    viewer,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("/api/v1/dispatch/technicians/", TechnicianFactory),
    ("/api/v1/dispatch/teams/", TeamFactory),
    ("/api/v1/dispatch/zones/", ZoneFactory),
    ("/api/v1/dispatch/employees/", EmployeeFactory),
    ("/api/v1/dispatch/business-units/", BusinessUnitFactory),
]


@pytest.mark.parametrize(("url", "factory"), ENDPOINTS)
def test_read_endpoint(url, factory):
    check_read_endpoint(url, factory)


@pytest.mark.parametrize(("url", "factory"), ENDPOINTS)
def test_read_only(url, factory):
    check_read_only(url, factory)


def test_technicians_filter_by_team_and_search():
    north = TechnicianFactory(team="North", name="Ann Lee")
    TechnicianFactory(team="South", name="Bob Ray")
    client = client_for(viewer())
    assert st_ids(client.get("/api/v1/dispatch/technicians/", {"team": "North"})) == {str(north.st_id)}
    assert st_ids(client.get("/api/v1/dispatch/technicians/", {"search": "ann"})) == {str(north.st_id)}
