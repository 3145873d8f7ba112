import pytest

from tests.admin_support import check_mirror_admin
from tests.factories import BusinessUnitFactory, EmployeeFactory, TeamFactory, TechnicianFactory, ZoneFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [TechnicianFactory, TeamFactory, ZoneFactory, EmployeeFactory, BusinessUnitFactory])
def test_read_only_admin(factory):
    check_mirror_admin(factory)
