import pytest

from tests.admin_support import check_mirror_admin
from tests.factories import AdjustmentFactory, PurchaseOrderFactory, VendorFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [AdjustmentFactory, PurchaseOrderFactory, VendorFactory, WarehouseFactory])
def test_read_only_admin(factory):
    check_mirror_admin(factory)
