"""Large mirror lists are sized from the planner's estimate on PostgreSQL (no COUNT(*) per page view), and the admin
says so ("about N"); filtered lists, small tables and SQLite are counted exactly."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from crm.models import Customer
from servicetitan import paginators
from tests.admin_support import staff_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def analyze(model) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_a_large_unfiltered_list_says_about_n(monkeypatch, django_assert_max_num_queries):
    CustomerFactory.create_batch(30, name="Ada")
    analyze(Customer)
    monkeypatch.setattr(paginators, "ESTIMATE_FROM_ROWS", 20)
    client = staff_client()
    url = reverse("admin:crm_customer_changelist")

    html = client.get(url).content.decode()
    assert "about 30" in html

    searched = client.get(url, {"q": "Ada"}).content.decode()  # filtered: counted exactly
    assert "about" not in searched.split('class="paginator"')[1] and "30 customers" in searched

    page = paginators.LargeTablePaginator(Customer.objects.all(), 10)
    with django_assert_max_num_queries(1):
        assert page.count == 30 and page.estimated


def test_a_small_table_is_counted_exactly():
    CustomerFactory.create_batch(3)
    page = paginators.LargeTablePaginator(Customer.objects.all(), 10)
    assert page.count == 3 and not page.estimated
    html = staff_client().get(reverse("admin:crm_customer_changelist")).content.decode()
    assert "about 3" not in html and "3 customers" in html
