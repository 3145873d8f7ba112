import pytest

from tests.admin_support import check_mirror_admin
from tests.memberships.factories import FACTORIES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", FACTORIES.values(), ids=list(FACTORIES))
def test_read_only_admin(factory):
    check_mirror_admin(factory)
