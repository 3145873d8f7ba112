import pytest

from tests.admin_support import check_mirror_admin
from tests.factories import AppointmentFactory, JobFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [JobFactory, AppointmentFactory, ProjectFactory])
def test_read_only_admin(factory):
    check_mirror_admin(factory)
