import pytest

from tests.admin_support import check_mirror_admin
from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [CustomerFactory, LocationFactory, ContactFactory])
def test_read_only_admin(factory):
    check_mirror_admin(factory)
