"""Pages read late: the same rows in the same order as slicing the annotated queryset, in two queries per page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pricebook.models import Material
from pricebook.selectors import with_effective_values
from pricebook.services.overrides import save_override
from servicetitan.pagination import LateRowPaginator, late_rows
from tests.pricebook.factories import make_material

pytestmark = pytest.mark.django_db


def test_late_rows_match_plain_slicing():
    items = [make_material(price=str(10 + n % 4), cost=Decimal(n % 3)) for n in range(23)]
    save_override(item_type="material", st_id=items[5].st_id, values={"price": Decimal(99)})
    qs = with_effective_values(Material.objects.filter(price__gte=11)).order_by("margin_percent", "-st_id")
    for bottom, top in ((0, 5), (5, 10), (15, 40), (40, 45)):
        plain = [(m.pk, m.effective_price) for m in qs[bottom:top]]
        with CaptureQueriesContext(connection) as queries:
            late = [(m.pk, m.effective_price) for m in late_rows(qs, bottom, top)]
        assert late == plain
        assert len(queries) <= 2


def test_the_paginator_pages_like_djangos():
    for n in range(12):
        make_material(price=str(n + 1))
    qs = with_effective_values(Material.objects.order_by("price"))
    paginator = LateRowPaginator(qs, 5)
    assert paginator.num_pages == 3
    assert [m.price for m in paginator.page(3).object_list] == [Decimal(11), Decimal(12)]
    assert [m.price for m in paginator.page(1)] == [Decimal(n) for n in range(1, 6)]
