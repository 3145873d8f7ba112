from decimal import Decimal

import factory
from django.utils import timezone

from sales.models import Estimate, EstimateItem
from tests.factories import MirrorFactory


class EstimateFactory(MirrorFactory):
    class Meta:
        model = Estimate

    name = factory.Sequence(lambda n: f"Option {n}")
    status = Estimate.Status.OPEN
    subtotal = Decimal("100.00")
    created_on = factory.LazyFunction(timezone.now)


class EstimateItemFactory(MirrorFactory):
    class Meta:
        model = EstimateItem

    estimate_st_id = factory.LazyFunction(lambda: EstimateFactory().st_id)
    status = Estimate.Status.OPEN
    estimate_created_on = factory.LazyFunction(timezone.now)
    sku_st_id = factory.Sequence(lambda n: 80_000 + n)
    sku_name = factory.Sequence(lambda n: f"SVC-{n:05d}")
    sku_type = "Service"
    quantity = Decimal("1")
    unit_rate = Decimal("250.00")
    total = Decimal("250.00")
    unit_cost = Decimal("80.00")
