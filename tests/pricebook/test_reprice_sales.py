"""Issue 13: a reprice's rows say how much each item sold over the last 90 days (invoice lines of its SKU and line
type), in the API and on the batch's admin page, one statement for the rows whatever their number."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from pricebook.models import PricingRule, RepriceRow
from pricebook.selectors import with_sold_90_days
from pricebook.services.groups import EDITORS
from pricebook.services.reprice import propose_reprice
from tests.accounting.factories import InvoiceItemFactory
from tests.factories import InvoiceFactory
from tests.pricebook.conftest import staff_of
from tests.pricebook.factories import TENANT_ID, make_material

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("factory_tenant")]


def sell(item, quantity, days_ago, line_type="Material", **fields):
    invoice = InvoiceFactory(tenant_id=TENANT_ID)
    return InvoiceItemFactory(
        tenant_id=TENANT_ID,
        invoice_st_id=invoice.st_id,
        invoice_date=timezone.now() - datetime.timedelta(days=days_ago),
        item_type=line_type,
        sku_st_id=item.st_id,
        quantity=D(quantity),
        **fields,
    )


@pytest.fixture
def batch():
    PricingRule.objects.create(
        tenant_id=TENANT_ID, name="default", item_type="material", markup="percent", markup_percent=100
    )
    pipe = make_material(cost=D(10), price="12.00")
    valve = make_material(cost=D(5), price="6.00")
    idle = make_material(cost=D(2), price="3.00")
    sell(pipe, 3, days_ago=10)
    sell(pipe, 2, days_ago=89)
    sell(pipe, 40, days_ago=91)  # outside the window
    sell(pipe, 7, days_ago=5, line_type="Service")  # another item type with the same id
    sell(pipe, 9, days_ago=5, active=False)  # an inactive invoice line
    sell(valve, "1.5", days_ago=30)
    batch = propose_reprice(tenant_id=TENANT_ID)
    return batch, {"pipe": pipe, "valve": valve, "idle": idle}


def test_rows_carry_the_units_sold_over_90_days(batch):
    batch, items = batch
    with CaptureQueriesContext(connection) as queries:
        sold = {
            row.st_pricebook_id: row.sold_90_days for row in with_sold_90_days(RepriceRow.objects.filter(batch=batch))
        }
    assert len(queries) == 1
    assert sold == {items["pipe"].st_id: D(5), items["valve"].st_id: D("1.5"), items["idle"].st_id: D(0)}


def test_the_api_and_the_admin_page_show_it(batch, client):
    batch, items = batch
    editor = staff_of(EDITORS)
    api = APIClient()
    api.force_authenticate(editor)
    rows = api.get(f"/api/v1/pricebook/reprices/{batch.pk}/").json()["rows"]
    assert {row["item"]["st_id"]: D(row["sold_90_days"]) for row in rows} == {
        items["pipe"].st_id: D(5),
        items["valve"].st_id: D("1.5"),
        items["idle"].st_id: D(0),
    }

    client.force_login(editor)
    html = client.get(reverse("admin:pricebook_repricebatch_change", args=[batch.pk])).content.decode()
    assert "Sold (90 days)" in html
    row = RepriceRow.objects.get(batch=batch, st_pricebook_id=items["valve"].st_id)
    assert f'data-row="{row.pk}"' in html
    cell = html.split(f'data-row="{row.pk}"', 1)[1].split('class="pb-sold-90-days">', 1)[1].split("<", 1)[0]
    assert cell == "1.50"
