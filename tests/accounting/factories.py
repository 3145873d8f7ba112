"""Factories for invoice items and the accounting reference data (the shared ones are in tests/factories.py)."""

from decimal import Decimal

import factory
from django.utils import timezone

from accounting.models import InvoiceItem, PaymentTerm, PaymentType, TaxZone
from tests.factories import InvoiceFactory, MirrorFactory


class InvoiceItemFactory(MirrorFactory):
    class Meta:
        model = InvoiceItem

    invoice_st_id = factory.LazyFunction(lambda: InvoiceFactory().st_id)
    invoice_date = factory.LazyFunction(timezone.now)
    item_type = "Material"
    sku_st_id = factory.Sequence(lambda n: 70_000 + n)
    sku_name = factory.Sequence(lambda n: f"MAT-{n:05d}")
    quantity = Decimal("2")
    price = Decimal("10.00")
    total = Decimal("20.00")
    cost = Decimal("4.00")


class PaymentTypeFactory(MirrorFactory):
    class Meta:
        model = PaymentType

    name = factory.Sequence(lambda n: f"Payment type {n}")


class PaymentTermFactory(MirrorFactory):
    class Meta:
        model = PaymentTerm

    name = factory.Sequence(lambda n: f"Net {n}")
    due_day_type = "NumberOfDays"


class TaxZoneFactory(MirrorFactory):
    class Meta:
        model = TaxZone

    name = factory.Sequence(lambda n: f"Zone {n}")
