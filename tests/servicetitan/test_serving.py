"""Lists served at scale: effective values for the page only, a constant number of queries whatever the size,
sorting by an effective value, cached sidebar values for free-text filters, trigram indexes on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from pricebook.models import Material, PricebookOverride
from pricebook.selectors import with_effective_values
from tests.admin_support import staff_client
from tests.factories import CustomerFactory, UserFactory
from tests.pricebook.factories import make_material

pytestmark = pytest.mark.django_db


def queries(fn) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries]


def pending(material, price):
    return PricebookOverride.objects.create(
        tenant_id=material.tenant_id,
        item_type="material",
        st_pricebook_id=material.st_id,
        override_price=Decimal(price),
        status=PricebookOverride.Status.PENDING,
    )


def test_effective_values_are_attached_to_the_fetched_rows_only():
    materials = [make_material(code=f"E-{i}", price="10") for i in range(6)]
    pending(materials[1], "99")
    page = with_effective_values(Material.objects.order_by("code"))[:3]
    sql = queries(lambda: list(page))
    assert len(sql) == 2  # the page, then its overrides
    assert "pricebookoverride" not in sql[0].lower()  # no correlated subquery over the table
    rows = list(with_effective_values(Material.objects.order_by("code"))[:3])
    assert [r.effective_price for r in rows] == [Decimal("10"), Decimal("99"), Decimal("10")]
    assert rows[1].override_status == "pending" and rows[0].override_status is None


def test_api_and_admin_lists_cost_the_same_number_of_queries_at_any_size():
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
    admin = staff_client()

    def counted(get, url, params=None):
        get(url, params)  # warm: the sidebar's cached values are read once every few minutes, not per view
        return len(queries(lambda: get(url, params)))

    def counts():
        return (
            counted(client.get, "/api/v1/pricebook/materials/"),
            counted(client.get, "/api/v1/pricebook/materials/", {"cursor": ""}),
            counted(client.get, "/api/v1/crm/customers/"),
            counted(admin.get, "/admin/pricebook/material/"),
            counted(admin.get, "/admin/crm/customer/"),
        )

    for i in range(3):
        pending(make_material(code=f"S-{i}"), "5")
        CustomerFactory()
    small = counts()
    for i in range(40):
        pending(make_material(code=f"L-{i}"), "5")
        CustomerFactory()
    assert counts() == small


def test_admin_sorts_by_an_effective_value():
    cheap, dear = make_material(code="A", price="50"), make_material(code="B", price="10")
    pending(dear, "100")  # B shows 100 while pending
    admin = staff_client()
    page = admin.get("/admin/pricebook/material/", {"o": "5"})  # the price column (after the cost)
    assert page.status_code == 200
    assert [m.code for m in page.context["cl"].result_list] == ["A", "B"]
    page = admin.get("/admin/pricebook/material/", {"o": "-5"})
    assert [m.code for m in page.context["cl"].result_list] == ["B", "A"]
    assert cheap.price == Decimal("50")


def test_free_text_sidebar_filter_values_are_cached():
    CustomerFactory(state="TX")
    CustomerFactory(state="CA")
    admin = staff_client()
    first = admin.get("/admin/crm/customer/")
    assert first.status_code == 200 and "?state=CA" in first.content.decode()
    sql = queries(lambda: admin.get("/admin/crm/customer/"))
    assert not any("DISTINCT" in q.upper() and "state" in q for q in sql)
    assert "?state=TX" in admin.get("/admin/crm/customer/").content.decode()


@pytest.mark.postgresql  # trigram indexes exist on PostgreSQL only
def test_search_columns_have_trigram_indexes_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        indexes = dict(cursor.fetchall())
    for name in ("crm_customer_name_trgm", "pricebook_material_code_trgm", "pricebook_material_name_trgm"):
        assert name in indexes and "gin_trgm_ops" in indexes[name] and "upper" in indexes[name].lower()
    # The planner can use it for the admin's and the API's `icontains` search.
    with connection.cursor() as cursor:
        # As on a large table: no sequential scan, no full walk of another index (a GIN index serves LIKE by bitmap).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(
            "EXPLAIN "
            + str(Material.objects.filter(name__icontains="valve").only("id").query).replace("%valve%", "'%valve%'")
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "pricebook_material_name_trgm" in plan
