"""The pricebook selectors: item kinds (declared once), effective values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricebook.models import ITEM_KINDS, ITEM_TYPES, Material, PricebookOverride, Service
from pricebook.selectors import effective_values, item_kind, item_type_of, override_is_effective
from pricebook.services.overrides import save_override
from pricebook.streams import STREAMS
from sales.streams import STREAMS as SALES_STREAMS
from tests.pricebook.factories import make_material


def test_item_kinds_are_declared_once_and_everything_reads_them():
    assert item_kind("service").master is Service and item_type_of(Material) == "material"
    assert [value for value, _ in PricebookOverride.ItemType.choices] == list(ITEM_KINDS)
    assert ITEM_TYPES == ("material", "service", "equipment")
    # The sales lists edited through overrides (discounts and fees, rate sheets) are the sales app's streams.
    streams = {stream.key: stream for stream in (*STREAMS, *SALES_STREAMS)}
    for kind in ITEM_KINDS.values():
        stream = streams[kind.resource_key]
        assert (stream.raw(), stream.master()) == (kind.raw, kind.master)
    with pytest.raises(ValueError, match="unknown pricebook item type"):
        item_kind("gadget")


@pytest.mark.django_db
def test_effective_values_follow_the_override_while_it_waits():
    material = make_material(price="10.00")
    override = save_override(
        item_type="material", st_id=material.st_id, values={"price": Decimal("12.00")}, queue_push=False
    )
    assert override_is_effective(override) and effective_values(material)["price"] == Decimal("12.00")

    for status, price in (("failed", Decimal("10.00")), ("synced", Decimal("10.00")), ("conflict", Decimal("12.00"))):
        PricebookOverride.objects.filter(pk=override.pk).update(status=status)
        assert effective_values(material)["price"] == price, status
